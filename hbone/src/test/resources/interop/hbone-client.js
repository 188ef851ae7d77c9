// An independent HBONE client (Node.js http2 over TLS 1.3 with a client certificate) for interop
// tests: CONNECT to :authority through the HBONE server, send a message, half-close, and print what
// came back, one event per line: "status <code>", "data <text>", "end", "error <message>".
// Usage: node hbone-client.js <port> <authority> <cert.pem> <key.pem> <ca.pem> <message>
'use strict';
const http2 = require('http2');
const fs = require('fs');
const [port, authority, cert, key, ca, message] = process.argv.slice(2);

const session = http2.connect(`https://127.0.0.1:${port}`, {
  cert: fs.readFileSync(cert), key: fs.readFileSync(key), ca: fs.readFileSync(ca),
  minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ALPNProtocols: ['h2'],
});
session.on('error', (e) => { console.log(`error ${e.message}`); process.exit(2); });

const req = session.request({ ':method': 'CONNECT', ':authority': authority }, { endStream: false });
let received = '';
req.on('response', (headers) => {
  console.log(`status ${headers[':status']}`);
  if (headers[':status'] !== 200) { session.close(); return; }
  req.write(message);
  req.end(); // half-close: END_STREAM
});
req.setEncoding('utf8');
req.on('data', (chunk) => { received += chunk; });
req.on('end', () => {
  console.log(`data ${received}`);
  console.log('end');
  session.close();
});
req.on('error', (e) => { console.log(`error ${e.message}`); session.close(); });
setTimeout(() => { console.log('error timeout'); process.exit(3); }, 10000).unref();
