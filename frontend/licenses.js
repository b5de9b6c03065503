// Writes the licences of every npm package inside the bundle next to it
// (itembank/static/vendor/richtext.js.LICENSES.txt), read from esbuild's metafile:
// the packages' own licences (MIT and similar) ask that their notice travels with the
// code, and none of them carries a /*! comment esbuild would keep by itself.
// Usage: node licenses.js <metafile.json> <output.txt>
"use strict";

const fs = require("fs");
const path = require("path");

const [metafile, output] = process.argv.slice(2);
if (!metafile || !output) {
  console.error("usage: node licenses.js <metafile.json> <output.txt>");
  process.exit(2);
}

const inputs = Object.keys(JSON.parse(fs.readFileSync(metafile, "utf8")).inputs);

// The package directory of a bundled file: node_modules/<name> or node_modules/@scope/<name>.
function packageDir(file) {
  const parts = file.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const width = parts[at + 1].startsWith("@") ? 3 : 2;
  return parts.slice(0, at + width).join("/");
}

const dirs = [...new Set(inputs.map(packageDir).filter(Boolean))].sort();
const sections = [];
for (const dir of dirs) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const file = fs
    .readdirSync(dir)
    .find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  if (!file) {
    console.error(`licenses.js: ${meta.name} ${meta.version} ships no licence file`);
    process.exit(1);
  }
  const text = fs.readFileSync(path.join(dir, file), "utf8").trim();
  sections.push(`${meta.name} ${meta.version} (${meta.license || "see below"})\n\n${text}`);
}

const rule = "\n\n" + "-".repeat(72) + "\n\n";
const head =
  "Third-party packages bundled into richtext.js, with their licences " +
  "(written by frontend/licenses.js at build time).";
fs.writeFileSync(output, head + rule + sections.join(rule) + "\n");
