export const id = 123;
export const ids = [123];
export const modules = {

/***/ 2123:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createEntraCredential: () => (/* binding */ createEntraCredential),
/* harmony export */   createGitHubOidcCredential: () => (/* binding */ createGitHubOidcCredential)
/* harmony export */ });
/* harmony import */ var _shared_dispatcher_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8123);
/* harmony import */ var _shared_undiciParts_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4330);
/* harmony import */ var _shared_logger_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(922);



const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The GitHub token's claims a federated credential is matched on: safe to show, and what a user must compare. */
const MATCHED_CLAIMS = ['iss', 'sub', 'aud', 'job_workflow_ref'];
/**
 * A TokenCredential (`{ getToken }`) for the core client that performs the exchange on each call it needs (the
 * client caches the result until shortly before it expires). Both tokens go through `setSecret` as they arrive.
 * @param timeoutMs - bound on the Entra request
 */
function createGitHubOidcCredential(core, settings, timeoutMs) {
    const proof = { kind: 'assertion', name: 'GitHub OIDC token', get: (audience) => core.getIDToken(audience) };
    return createEntraCredential(settings, timeoutMs, proof, (secret) => core.setSecret(secret));
}
/**
 * The exchange at Entra's token endpoint (client-credentials grant) with either proof; every token and the secret
 * go through `mask` before anything could print them. Shared by the Action and the CLI.
 */
function createEntraCredential(settings, timeoutMs, proof, mask) {
    return {
        async getToken(scopes, options) {
            const scope = Array.isArray(scopes) ? scopes[0] : scopes;
            let assertion = '';
            if (proof.kind === 'assertion') {
                try {
                    assertion = await proof.get(settings.audience);
                }
                catch (error) {
                    throw new Error(`could not get the job's ${proof.name}: ${(0,_shared_logger_js__WEBPACK_IMPORTED_MODULE_2__/* .redact */ .E$)(error.message)}`, { cause: error });
                }
                mask(assertion);
            }
            else
                mask(proof.secret);
            const tokenUrl = `${settings.authorityHost}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`;
            const form = new URLSearchParams([
                ['client_id', settings.clientId],
                ['scope', scope],
                ['grant_type', 'client_credentials'],
                ...(proof.kind === 'assertion'
                    ? [
                        ['client_assertion_type', JWT_BEARER],
                        ['client_assertion', assertion],
                    ]
                    : [['client_secret', proof.secret]]),
            ]);
            const { origin, pathname } = new URL(tokenUrl);
            // The dispatcher's own request, not undici's top-level one: that would load all of undici's index (fetch,
            // WebSocket, the cache) into every process that signs in, the CLI's start-up included.
            const dispatcher = (0,_shared_dispatcher_js__WEBPACK_IMPORTED_MODULE_0__/* .createDispatcher */ .S)(origin, timeoutMs);
            try {
                const response = await (0,_shared_undiciParts_js__WEBPACK_IMPORTED_MODULE_1__/* .requestOn */ .fQ)(dispatcher, {
                    origin,
                    path: pathname,
                    method: 'POST',
                    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
                    body: form.toString(),
                    signal: options?.abortSignal ?? undefined,
                    headersTimeout: timeoutMs,
                    bodyTimeout: timeoutMs,
                });
                const answer = (await response.body.json().catch(() => ({})));
                if (response.statusCode !== 200 || typeof answer.access_token !== 'string') {
                    throw new Error(rejection(response.statusCode, answer, proof.name, assertion));
                }
                mask(answer.access_token);
                const seconds = Number(answer.expires_in);
                return { token: answer.access_token, expiresOnTimestamp: Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000 };
            }
            finally {
                await dispatcher.close();
            }
        },
    };
}
/** What Entra said, and (for a federated token) the token's claims that the app's federated credential must match. */
function rejection(status, answer, name, assertion) {
    const code = typeof answer.error === 'string' ? answer.error : `HTTP ${status}`;
    const description = typeof answer.error_description === 'string' ? `: ${answer.error_description.split(/\r?\n/)[0]}` : '';
    if (!assertion)
        return (0,_shared_logger_js__WEBPACK_IMPORTED_MODULE_2__/* .redact */ .E$)(`Microsoft Entra refused the ${name} (${code}${description})`);
    const claims = claimsOf(assertion);
    const shown = MATCHED_CLAIMS.filter((claim) => claims[claim] !== undefined).map((claim) => `${claim}=${JSON.stringify(claims[claim])}`);
    return (0,_shared_logger_js__WEBPACK_IMPORTED_MODULE_2__/* .redact */ .E$)(`Microsoft Entra refused the ${name} (${code}${description}). The federated credential of the app ` +
        `must match the token's claims: ${shown.join(', ') || '(none readable)'}`);
}
/** The payload of a JWT, without verifying it (only to show the claims); {} when it cannot be read. */
function claimsOf(jwt) {
    try {
        return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    }
    catch {
        return {};
    }
}

/***/ })

};
