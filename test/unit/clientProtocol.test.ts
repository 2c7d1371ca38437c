/**
 * The shared rule for which api-version takes which client protocol (`clientType` of `:generateToken`): the
 * emulator applies it today, the core client will call it with the same (value, apiVersion).
 */
import { expect, test } from '@jest/globals';
import { API_VERSIONS } from '../../shared/operations.js';
import { CLIENT_PROTOCOLS, CLIENT_PROTOCOL_SINCE, checkClientProtocol } from '../../shared/validate.js';

test('every client protocol has a first api-version, and socketio needs 2024-12-01', () => {
  expect(Object.keys(CLIENT_PROTOCOL_SINCE).sort()).toEqual([...CLIENT_PROTOCOLS].sort());
  expect(CLIENT_PROTOCOL_SINCE).toEqual({ default: '2024-01-01', mqtt: '2024-01-01', socketio: '2024-12-01' });
});

test.each(API_VERSIONS.filter((version) => version >= '2024-01-01').flatMap((version) => CLIENT_PROTOCOLS.map((protocol) => [protocol, version] as const)))(
  '%s on %s',
  (protocol, version) => {
    const check = () => checkClientProtocol(protocol, version);
    if (version >= CLIENT_PROTOCOL_SINCE[protocol]) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', argument: 'clientProtocol' }));
  },
);

test('the error names the input, the protocols the api-version takes and the version the value needs', () => {
  expect(() => checkClientProtocol('socketio', '2024-01-01')).toThrow(
    'clientProtocol must be default or mqtt in api-version 2024-01-01; socketio needs 2024-12-01 or later',
  );
  expect(() => checkClientProtocol('socketio', '2024-01-01', 'clientType')).toThrow(expect.objectContaining({ argument: 'clientType' }));
});
