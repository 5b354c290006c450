// Syntax highlighting for KV values (JSON, YAML, HCL) as text spans, and the
// JSON check the editor shows. Output is built from text nodes only.

const RULES = {
  json: /("(?:\\.|[^"\\])*")(?=\s*:)|("(?:\\.|[^"\\])*")|(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|\b(true|false|null)\b/g,
  yaml: /(#.*$)|^(\s*-?\s*[\w.\-/"']+)(?=\s*:)|("(?:\\.|[^"\\])*"|'[^']*')|(-?\b\d+(?:\.\d+)?\b)|\b(true|false|null|yes|no|on|off)\b/gm,
  hcl: /(#.*$|\/\/.*$|\/\*[\s\S]*?\*\/)|^(\s*[\w.\-]+)(?=\s*[={])|("(?:\\.|[^"\\])*")|(-?\b\d+(?:\.\d+)?\b)|\b(true|false|null)\b/gm,
};

const CLASSES = {
  json: ['key', 'str', 'num', 'lit'],
  yaml: ['com', 'key', 'str', 'num', 'lit'],
  hcl: ['com', 'key', 'str', 'num', 'lit'],
};

/** Guess the language of a value: 'json' when it parses, else 'plain'. */
export function detect(text) {
  const t = text.trim();
  if ((t.startsWith('{') || t.startsWith('[')) && validJson(t) === null) return 'json';
  return 'plain';
}

/** null when `text` is valid JSON, else the parser's message. */
export function validJson(text) {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return e.message;
  }
}

/** A fragment of `text` with spans for tokens of `mode`. */
export function highlight(text, mode) {
  const frag = document.createDocumentFragment();
  const re = RULES[mode];
  if (!re || text.length > 500000) {
    frag.append(text);
    return frag;
  }
  re.lastIndex = 0;
  let at = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m[0] === '') { re.lastIndex++; continue; }
    const g = m.slice(1).findIndex((x) => x !== undefined);
    if (m.index > at) frag.append(text.slice(at, m.index));
    const span = document.createElement('span');
    span.className = 'tok-' + CLASSES[mode][g];
    span.textContent = m[0];
    frag.append(span);
    at = m.index + m[0].length;
  }
  frag.append(text.slice(at));
  return frag;
}
