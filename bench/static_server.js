// A minimal static file server for bench/search_bench.py (loopback only): keep-alive,
// files read from disk per request, as a static host would serve them. Prints its URL.
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");

const root = path.resolve(process.argv[2]);
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
  ".xml": "application/xml", ".txt": "text/plain" };

const server = http.createServer((request, response) => {
  let file = path.join(root, decodeURIComponent(new URL(request.url, "http://x").pathname));
  if (!file.startsWith(root)) { response.writeHead(403); response.end(); return; }
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (readError, data) => {
      if (readError) { response.writeHead(404); response.end("not found"); return; }
      const type = TYPES[path.extname(file)] || "application/octet-stream";
      response.writeHead(200, { "Content-Type": type, "Content-Length": data.length });
      response.end(data);
    });
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log("http://127.0.0.1:" + server.address().port);
});
