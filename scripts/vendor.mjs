// Copies the browser builds of the npm dependencies into static/vendor/ (ignored by git).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "static", "vendor");
const files = {
  "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
  // The CSP build: evaluates x-data/x-on expressions with its own parser, so the policy needs no 'unsafe-eval'.
  "alpine.min.js": "node_modules/@alpinejs/csp/dist/cdn.min.js",
  "sortable.min.js": "node_modules/sortablejs/Sortable.min.js",
  "echarts.min.js": "node_modules/echarts/dist/echarts.min.js",
};
mkdirSync(target, { recursive: true });
for (const [name, source] of Object.entries(files)) {
  copyFileSync(join(root, source), join(target, name));
  console.log(`static/vendor/${name} <- ${source}`);
}
