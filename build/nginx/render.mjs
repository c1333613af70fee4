// Renders the sample configuration (gitssy.conf beside this file) for a set of instances: the
// servers of each upstream become the given ones, with the sample's options, and `listen 8080`
// the given address. test/fixtures/nginx.ts and `npm run bench:cluster` run the sample through
// it as it is, so what they test is what operators copy.

/**
 * @param {string} sample the text of gitssy.conf
 * @param {string[]} upstreams host:port of each instance
 * @param {string} listen what `listen 8080` becomes (host:port)
 * @returns {string}
 */
export function renderSample(sample, upstreams, listen) {
  let blocks = 0;
  const out = sample.replace(/^(upstream \S+ \{\n)([\s\S]*?)^\}$/gm, (_all, head, body) => {
    const servers = [...body.matchAll(/^ {4}server 127\.0\.0\.1:\d+ (.*);$/gm)];
    if (servers.length !== 2) throw new Error('build/nginx/gitssy.conf: expected two server lines in each upstream');
    blocks++;
    const options = servers[0][1];
    // the given servers where the sample's were
    let first = true;
    const rest = body.replace(/^ {4}server 127\.0\.0\.1:\d+ .*;\n/gm, () => {
      if (!first) return '';
      first = false;
      return upstreams.map((u) => `    server ${u} ${options};\n`).join('');
    });
    return `${head}${rest}}`;
  });
  if (blocks === 0) throw new Error('build/nginx/gitssy.conf: expected upstream blocks');
  if (!/^ {4}listen 8080;$/m.test(out)) throw new Error('build/nginx/gitssy.conf: expected "listen 8080;"');
  return out.replace(/^ {4}listen 8080;$/m, `    listen ${listen};`);
}
