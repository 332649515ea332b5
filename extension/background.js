// Keeps a native messaging port to the Strata agent's host program open, forwards each page's
// timings to it, and once a minute sends how many tabs are open per site. While the host is
// not reachable (the agent is not installed or is restarting), reports wait in a short queue.
const hostName = 'com.strata.agent';
const maxQueued = 500;
const tabsEveryMillis = 60_000;
let port = null;
let queue = [];
let retryMillis = 1_000;

function connect() {
  port = chrome.runtime.connectNative(hostName);
  port.onDisconnect.addListener(() => {
    port = null;
    setTimeout(connect, retryMillis);
    retryMillis = Math.min(retryMillis * 2, 300_000);
  });
  const waiting = queue;
  queue = [];
  for (const message of waiting) send(message);
}

function send(message) {
  if (port) {
    try {
      port.postMessage(message);
      retryMillis = 1_000;
      return;
    } catch {
      port = null;
    }
  }
  queue.push(message);
  if (queue.length > maxQueued) queue.shift();
}

async function sendTabs() {
  const tabs = await chrome.tabs.query({});
  const sites = {};
  for (const tab of tabs) {
    if (!tab.url || !/^https?:/.test(tab.url)) continue;
    const site = new URL(tab.url).origin;
    sites[site] = (sites[site] ?? 0) + 1;
  }
  send({ kind: 'tabs', sites });
}

chrome.runtime.onMessage.addListener((message) => {
  if (message && message.kind !== 'page') return;
  send(message);
  // A page just loaded: the tab counts have likely changed too.
  void sendTabs();
});
connect();
sendTabs();
setInterval(sendTabs, tabsEveryMillis);
