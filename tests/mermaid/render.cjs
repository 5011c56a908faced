// Draws every ```mermaid block of a markdown file to SVG in one Chromium page, with the
// puppeteer and Mermaid that scripts/test.sh installs (@mermaid-js/mermaid-cli and its
// pinned dependencies), calling mermaid.render as mmdc does. mmdc itself opens a page
// per block, all at once, each loading the whole Mermaid bundle: a hundred blocks run
// past its 30 s navigation timeout on two cores. Here the bundle loads once.
//
//   node render.cjs MERMAID_DIR INPUT.md OUT_DIR PUPPETEER_CONFIG.json
//
// MERMAID_DIR holds node_modules/ with puppeteer and mermaid. Writes OUT_DIR/N.svg for
// the Nth block (from 1), prints "block N: error" for each block Mermaid refuses and
// exits 1 if any was refused (2 if Chromium could not be driven at all).
'use strict';

const fs = require('fs');
const path = require('path');

async function main() {
  const [dir, input, out, configFile] = process.argv.slice(2);
  const puppeteer = require(path.join(dir, 'node_modules', 'puppeteer'));
  const bundle = path.join(dir, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
  // The blocks as mmdc finds them.
  const fence = /^[^\S\n]*[`:]{3}(?:mermaid)([^\S\n]*\r?\n([\s\S]*?))[`:]{3}[^\S\n]*$/gm;
  const text = fs.readFileSync(input, 'utf8');
  const definitions = Array.from(text.matchAll(fence), (m) => m[2]);
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  const browser = await puppeteer.launch(config);
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body><div id="container"></div></body></html>');
    await page.addScriptTag({ path: bundle });
    const results = await page.evaluate(async (definitions) => {
      const { mermaid } = globalThis;
      mermaid.initialize({ startOnLoad: false });
      const container = document.getElementById('container');
      const results = [];
      for (const [i, definition] of definitions.entries()) {
        try {
          const { svg } = await mermaid.render(`diagram-${i + 1}`, definition, container);
          results.push({ svg });
        } catch (e) {
          results.push({ error: String((e && e.message) || e) });
        }
        container.innerHTML = '';
      }
      return results;
    }, definitions);
    let failed = 0;
    results.forEach((r, i) => {
      if (r.error !== undefined) {
        failed += 1;
        console.log(`block ${i + 1}: ${r.error}`);
      } else {
        fs.writeFileSync(path.join(out, `${i + 1}.svg`), r.svg);
      }
    });
    console.log(`${results.length - failed} of ${results.length} blocks drawn`);
    return failed === 0 ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
