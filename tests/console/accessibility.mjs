// An accessibility check of the page as it stands: axe-core's WCAG 2.1 A and
// AA rules, run inside the page. Serious and critical findings fail the
// journey, named with the elements they were found on.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function assertAccessible(page, what) {
  // Evaluated through the browser's debugger, so the console's CSP (no inline
  // scripts) does not apply to it, as it would to an injected <script>.
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    on ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
  if (found.length > 0) {
    throw new Error(`${what} is not accessible:\n  ${found.join("\n  ")}`);
  }
}
