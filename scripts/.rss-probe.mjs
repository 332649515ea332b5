// usage: node flags scripts/.rss-probe.mjs spec...
const specs = process.argv.slice(2);
for (const s of specs) await import(s);
globalThis.gc?.();
setTimeout(async () => {
  const { readFileSync } = await import('node:fs');
  const st = readFileSync('/proc/self/status', 'utf8');
  const f = (n) => Number(new RegExp(`^${n}:\\s+(\\d+)`, 'm').exec(st)[1]) / 1024;
  console.log(specs.join(',') || '(none)', 'rss', f('VmRSS').toFixed(1), 'anon', f('RssAnon').toFixed(1), 'file', f('RssFile').toFixed(1), 'heap', (process.memoryUsage().heapUsed/1048576).toFixed(1));
}, 1500);
