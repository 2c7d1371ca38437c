// Shows "v1.4.2 is deployed — Reload" when the pipeline's webpubsub-action step announces a deployment or a release.
import { connectNotifications } from 'webpubsub-action/browser';

const banner = document.getElementById('update-banner');
const message = document.getElementById('update-message');
const details = document.getElementById('update-details');
const connection = document.getElementById('connection');

/**
 * The page never holds a connection string or access key: it asks its own server for a client access URL, a
 * short-lived token for one hub (and the groups the server chose). The listener calls this again before every
 * reconnect, so the token is always fresh.
 */
async function clientUrl() {
  const response = await fetch('negotiate', { cache: 'no-store' });
  if (!response.ok) throw new Error(`negotiate answered ${response.status}: ${await response.text()}`);
  return (await response.json()).url;
}

/** Shows (or updates) the banner. Text only: the notification's fields are never parsed as HTML. */
function showUpdate(version, detailsUrl) {
  message.textContent = `${version} is deployed`;
  details.hidden = !isWebUrl(detailsUrl);
  if (!details.hidden) details.href = detailsUrl;
  banner.hidden = false;
}

/** Only http(s) links: a `javascript:` URL is a valid URL too. */
function isWebUrl(url) {
  try {
    return ['https:', 'http:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function showConnection(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
  // An error is announced at once; the rest is a status line.
  connection.setAttribute('role', state === 'error' ? 'alert' : 'status');
}

/** Whether a connection was ever accepted: a failure before that is an error to show, not a passing drop. */
let everConnected = false;

document.getElementById('reload').addEventListener('click', () => location.reload());

connectNotifications({
  url: clientUrl,
  // A deployment names its ref (`main`, or `v1.4.2` for a tag); a release announcement its tag.
  onDeployed: (notification) => showUpdate(notification.refName, notification.runUrl),
  onRelease: (notification) => showUpdate(notification.release.tag, notification.release.url),
  onInvalid: (_data, reason) => console.warn(`Ignored a message that is not a notification: ${reason}`),
  onConnected: () => {
    everConnected = true;
    showConnection('connected', 'Listening for deploy notifications.');
  },
  // The connection was lost for longer than the service keeps it: a notification may have been missed meanwhile.
  // An app with a version endpoint checks it here; this page offers the reload.
  onGap: () => showConnection('connected', 'Listening again; a notification sent while disconnected may have been missed: reload to be sure.'),
  onDisconnected: ({ reason, reconnectInMs, gaveUp }) => {
    if (gaveUp) return showConnection('error', `Stopped listening for deploy notifications: ${reason}.`);
    const retry = reconnectInMs === 0 ? 'reconnecting now' : `trying again in ${Math.ceil(reconnectInMs / 1000)} s`;
    if (everConnected) showConnection('reconnecting', `Disconnected (${reason}); ${retry}.`);
    else showConnection('error', `Cannot connect for deploy notifications: ${reason}; ${retry}.`);
  },
});
