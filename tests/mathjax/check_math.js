// Typeset every $...$ and $$...$$ of a Markdown text (standard input) with MathJax's TeX
// input (the base and ams packages, as math.SE loads them; no noundefined, so an unknown
// command is an error node, not red text) and report, as JSON on standard output, how
// many formulas there were and every one whose MathML has an <merror>.
// Documents are separated by a line holding only \f (form feed), so one node process
// serves many.
'use strict';
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {STATE} = require('mathjax-full/js/core/MathItem.js');
const {SerializedMmlVisitor} = require('mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js');
require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');

RegisterHTMLHandler(liteAdaptor());
const tex = new TeX({packages: ['base', 'ams']});
const html = mathjax.document('', {InputJax: tex});
const visitor = new SerializedMmlVisitor();

// The formulas of a Markdown text: $$...$$ (display) and $...$ (inline); a backslash
// escapes the next character (\$ is a dollar in prose).  An unclosed delimiter is itself
// reported as an error.
function formulas(text) {
  const out = [];
  const problems = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') { i += 2; continue; }
    if (c !== '$') { i += 1; continue; }
    const display = text[i + 1] === '$';
    const open = display ? 2 : 1;
    let j = i + open;
    let found = -1;
    while (j < text.length) {
      if (text[j] === '\\') { j += 2; continue; }
      if (text[j] === '$') {
        if (!display) { found = j; break; }
        if (text[j + 1] === '$') { found = j; break; }
        problems.push({tex: text.slice(i, j + 1), message: 'a single $ inside $$...$$'});
      }
      j += 1;
    }
    if (found < 0) {
      problems.push({tex: text.slice(i, i + 80), message: 'unclosed ' + (display ? '$$' : '$')});
      break;
    }
    out.push({tex: text.slice(i + open, found), display});
    i = found + open;
  }
  return {out, problems};
}

function check(text) {
  const {out, problems} = formulas(text);
  const errors = problems.slice();
  for (const f of out) {
    let mml;
    try {
      const node = html.convert(f.tex, {display: f.display, end: STATE.CONVERT});
      mml = visitor.visitTree(node);
    } catch (err) {
      errors.push({tex: f.tex, message: 'exception: ' + err.message});
      continue;
    }
    if (mml.includes('<merror')) {
      const m = /<mtext>([^<]*)<\/mtext>/.exec(mml.slice(mml.indexOf('<merror')));
      errors.push({tex: f.tex, message: m ? m[1] : 'merror'});
    }
  }
  return {formulas: out.length, displays: out.filter((f) => f.display).length, errors};
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const docs = input.split('\n\f\n');
  process.stdout.write(JSON.stringify(docs.map(check)) + '\n');
});
