// A minimal static file server for bench/search_bench.py (loopback only), serving as a
// static host does: keep-alive, text gzipped when the browser accepts it (compressed once
// per file and kept, as hosts cache it), files read from disk the first time they are asked
// for. The files under search/, static/ and pagefind/ (what a query fetches) are read and
// compressed before the server starts: a host serves them from its cache, and compressing
// a large chunk at level 9 on its first request (tens of milliseconds, on the benchmark's
// own cores) would otherwise be counted in every cold query. Prints its URL once ready.
//
//   node bench/static_server.js SITE            HTTP/1.1 (browsers open six connections)
//   node bench/static_server.js SITE --h2 DIR   HTTP/2 over TLS, as GitHub Pages, Netlify and
//                                               Cloudflare serve sites (one connection, every
//                                               request at once); a self-signed certificate
//                                               is made in DIR with openssl.
"use strict";
const http = require("http");
const http2 = require("http2");
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { execFileSync } = require("child_process");

const root = path.resolve(process.argv[2]);
const h2 = process.argv[3] === "--h2";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
  ".xml": "application/xml", ".txt": "text/plain" };
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".json", ".svg", ".xml", ".txt"]);
const cache = new Map(); // file -> {plain, gzipped}

function load(file, done) {
  const known = cache.get(file);
  if (known) { done(null, known); return; }
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (readError, plain) => {
      if (readError) { done(readError); return; }
      const ext = path.extname(file);
      const entry = { plain, type: TYPES[ext] || "application/octet-stream", gzipped: null };
      if (COMPRESSIBLE.has(ext)) entry.gzipped = zlib.gzipSync(plain, { level: 9 });
      cache.set(file, entry);
      done(null, entry);
    });
  });
}

function handle(request, response) {
  const file = path.join(root, decodeURIComponent(new URL(request.url, "http://x").pathname));
  if (!file.startsWith(root)) { response.writeHead(403); response.end(); return; }
  load(file, (error, entry) => {
    if (error) { response.writeHead(404); response.end("not found"); return; }
    const gzip = entry.gzipped && /\bgzip\b/.test(request.headers["accept-encoding"] || "");
    const body = gzip ? entry.gzipped : entry.plain;
    const headers = { "Content-Type": entry.type, "Content-Length": body.length };
    if (gzip) headers["Content-Encoding"] = "gzip";
    response.writeHead(200, headers);
    response.end(body);
  });
}

function certificate(folder) {
  const key = path.join(folder, "bench-key.pem"), cert = path.join(folder, "bench-cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

/* Every file under the folders a query fetches from, read and compressed ahead (zlib's
 * thread pool, a few at a time). */
function preload(folders, done) {
  const files = [];
  function walk(folder) {
    let entries = [];
    try { entries = fs.readdirSync(folder, { withFileTypes: true }); } catch (error) { return; }
    for (const entry of entries) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file); else files.push(file);
    }
  }
  folders.forEach((folder) => walk(path.join(root, folder)));
  let next = 0, running = 0, finished = false;
  function more() {
    while (running < 4 && next < files.length) {
      const file = files[next++], ext = path.extname(file);
      const plain = fs.readFileSync(file);
      const entry = { plain, type: TYPES[ext] || "application/octet-stream", gzipped: null };
      cache.set(file, entry);
      if (!COMPRESSIBLE.has(ext)) continue;
      running++;
      zlib.gzip(plain, { level: 9 }, (error, gzipped) => {
        entry.gzipped = gzipped;
        running--;
        more();
      });
    }
    if (next === files.length && running === 0 && !finished) {
      finished = true;
      done();
    }
  }
  more();
}

const server = h2
  ? http2.createSecureServer({ ...certificate(process.argv[4]), allowHTTP1: true }, handle)
  : http.createServer({ keepAliveTimeout: 60000 }, handle);
preload(["search", "static", "pagefind"], () => {
  server.listen(0, "127.0.0.1", () => {
    console.log((h2 ? "https" : "http") + "://127.0.0.1:" + server.address().port);
  });
});
