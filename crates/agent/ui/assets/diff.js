// A line diff (longest common subsequence), for the KV conflict view.

const MAX_CELLS = 4e6;

/**
 * diffLines(a, b) -> [{ op: ' ' | '-' | '+', line }]: how to turn `a` into `b`.
 * Inputs too large for the LCS table come back as "all removed, all added".
 */
export function diffLines(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  // Trim the common head and tail first: most edits are local.
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const xs = x.slice(pre, x.length - suf);
  const ys = y.slice(pre, y.length - suf);
  const out = x.slice(0, pre).map((line) => ({ op: ' ', line }));
  if ((xs.length + 1) * (ys.length + 1) > MAX_CELLS) {
    out.push(...xs.map((line) => ({ op: '-', line })), ...ys.map((line) => ({ op: '+', line })));
  } else {
    const n = xs.length;
    const m = ys.length;
    const t = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        t[i][j] = xs[i] === ys[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) { out.push({ op: ' ', line: xs[i] }); i++; j++; }
      else if (j < m && (i === n || t[i][j + 1] >= t[i + 1][j])) { out.push({ op: '+', line: ys[j] }); j++; }
      else { out.push({ op: '-', line: xs[i] }); i++; }
    }
  }
  out.push(...x.slice(x.length - suf).map((line) => ({ op: ' ', line })));
  return out;
}
