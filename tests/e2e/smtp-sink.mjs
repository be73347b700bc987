// smtp-sink.mjs - a tiny SMTP server for the tests: listens on 127.0.0.1 on a
// free port, accepts every message and keeps it (envelope and data), so a
// test can read what cxm sent, and that nothing went anywhere else. It can
// refuse the first K deliveries with 451 (try again later).
import { createServer } from 'node:net';

// Decodes quoted-printable (RFC 2045) into UTF-8 text.
export function qpDecode(s) {
  const bytes = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// The MIME parts of a message: [{type, body}] with bodies decoded.
export function mimeParts(data) {
  const parts = [];
  const walk = (text) => {
    const [head, ...rest] = text.split(/\r?\n\r?\n/);
    const body = rest.join('\r\n\r\n');
    const type = (head.match(/^content-type:\s*([^\r\n;]+)/im) || [])[1] || 'text/plain';
    const boundary = (head.match(/boundary="?([^";\r\n]+)"?/i) || [])[1];
    if (type.startsWith('multipart/') && boundary) {
      for (const chunk of body.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith('--')) break;
        walk(chunk.replace(/^\r?\n/, ''));
      }
      return;
    }
    const enc = (head.match(/^content-transfer-encoding:\s*(\S+)/im) || [])[1] || '';
    let out = body;
    if (/quoted-printable/i.test(enc)) out = qpDecode(body);
    else if (/base64/i.test(enc)) out = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    parts.push({ type: type.toLowerCase(), body: out });
  };
  walk(data);
  return parts;
}

// Decodes RFC 2047 encoded words in a header value.
export function headerDecode(v) {
  return v.replace(/=\?UTF-8\?B\?([^?]+)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

// Starts a sink; resolves to {port, url, messages, refuse(k), close()}.
// messages: [{from, to: [...], data, headers: {name: value}, parts}].
export function startSink() {
  const sink = { messages: [], refusals: 0, refuseNext: 0, attempts: 0 };
  sink.sockets = [];
  const server = createServer((sock) => {
    sink.sockets.push(sock);
    let buf = '';
    let inData = false;
    let cur = null;
    const reply = (s) => sock.write(`${s}\r\n`);
    reply('220 sink ESMTP');
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = Buffer.from(buf.slice(0, end), 'latin1').toString('utf8').replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          inData = false;
          sink.attempts++;
          if (sink.refuseNext > 0) {
            sink.refuseNext--;
            sink.refusals++;
            reply('451 4.3.0 try again later');
          } else {
            const [head] = raw.split(/\r?\n\r?\n/);
            const headers = {};
            for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
              const m = line.match(/^([^:]+):\s*(.*)$/);
              if (m) headers[m[1].toLowerCase()] = headerDecode(m[2]);
            }
            sink.messages.push({ ...cur, data: raw, headers, parts: mimeParts(raw) });
            reply('250 2.0.0 queued');
          }
          cur = null;
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') reply('250-sink\r\n250-8BITMIME\r\n250 SIZE 10000000');
        else if (cmd === 'MAIL') { cur = { from: (line.match(/<([^>]*)>/) || [])[1], to: [] }; reply('250 2.1.0 ok'); }
        else if (cmd === 'RCPT') { cur.to.push((line.match(/<([^>]*)>/) || [])[1]); reply('250 2.1.5 ok'); }
        else if (cmd === 'DATA') { inData = true; reply('354 go ahead'); }
        else if (cmd === 'RSET') { cur = null; reply('250 ok'); }
        else if (cmd === 'NOOP') reply('250 ok');
        else if (cmd === 'QUIT') { reply('221 bye'); sock.end(); return; }
        else reply('502 5.5.2 not implemented');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      sink.port = server.address().port;
      sink.url = `smtp://127.0.0.1:${sink.port}`;
      sink.refuse = (k) => { sink.refuseNext = k; };
      sink.close = () => new Promise((res) => { server.close(() => res()); for (const s of sink.sockets || []) s.destroy(); });
      resolve(sink);
    });
  });
}

// Waits until pred() holds (polling), at most ms.
export async function until(pred, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
