// The console's journey in headless Chromium, against a running errand serve.
// tests/cli/console.rs starts the server, makes the actors and runs this with:
//   ERRAND_BASE_URL, ERRAND_ADMIN_KEY, ERRAND_AGENT_KEY, ERRAND_AGENT_ID,
//   ERRAND_HUMAN_EMAIL, ERRAND_HUMAN_PASSWORD, ERRAND_SCREENSHOTS (a directory),
//   ERRAND_DISPUTE_ID (a Humai dispute over a $75.01 transaction, with evidence),
//   ERRAND_LISTING_TITLE (a Humai listing open for business),
//   CHROMIUM (default /usr/bin/chromium).
// It exits non-zero, naming the step, on the first thing that does not hold.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { assertAccessible } from "./accessibility.mjs";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env("ERRAND_BASE_URL");
const adminKey = env("ERRAND_ADMIN_KEY");
const agentKey = env("ERRAND_AGENT_KEY");
const agentId = env("ERRAND_AGENT_ID");
const humanEmail = env("ERRAND_HUMAN_EMAIL");
const humanPassword = env("ERRAND_HUMAN_PASSWORD");
const shots = env("ERRAND_SCREENSHOTS");
const disputeId = env("ERRAND_DISPUTE_ID");
const listingTitle = env("ERRAND_LISTING_TITLE");
mkdirSync(shots, { recursive: true });

// A small real PNG (a 160×100 orange block), so the proof's preview and the
// stored file are an actual image.
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "ascii");
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; header[9] = 2; header[10] = 0; header[11] = 0; header[12] = 0;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set([r, g, b], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
  ]);
}

let step = "starting Chromium";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const timeout = 15_000;

async function signedIn(how) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
  context.setDefaultTimeout(timeout);
  const page = await context.newPage();
  await page.goto(`${base}/console/sign-in`);
  if (how.key) {
    await page.getByLabel("API key", { exact: true }).fill(how.key);
    await page.getByRole("button", { name: "Sign in with key" }).click();
  } else {
    await page.getByLabel("Email", { exact: true }).fill(how.email);
    await page.getByLabel("Password", { exact: true }).fill(how.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }
  await page.waitForLoadState("domcontentloaded");
  return { context, page };
}
// Read models follow the journal a moment behind: a page that shows one is
// loaded again until `locator` is on it (bounded, like every wait here).
async function eventually(page, url, locator) {
  const until = Date.now() + timeout;
  for (;;) {
    await page.goto(url);
    if ((await locator.count()) > 0) return;
    if (Date.now() > until) throw new Error(`${url} never showed ${locator}`);
    await page.waitForTimeout(250);
  }
}
// Each page worth a picture is also checked for accessibility as it stands.
async function shot(page, name) {
  await assertAccessible(page, `the ${name} page`);
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

try {
  step = "the sign-in page";
  {
    const context = await browser.newContext({ viewport: { width: 1200, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${base}/console/board`);
    assert.match(page.url(), /\/console\/sign-in$/, "an unsigned visitor is sent to sign in");
    // By keyboard alone: Tab reaches the key's field, Enter sends the form.
    const keyField = page.getByLabel("API key", { exact: true });
    for (let presses = 0; !(await keyField.evaluate((field) => field === document.activeElement)); presses++) {
      assert.ok(presses < 20, "Tab reaches the API key field");
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type("erk_live_not_a_key");
    await page.keyboard.press("Enter");
    await page.getByText("invalid API key").waitFor();
    await shot(page, "sign-in");
    await context.close();
  }

  step = "the admin follows the live journal";
  const admin = await signedIn({ key: adminKey });
  assert.match(admin.page.url(), /\/console\/journal$/);
  await admin.page.locator("#live-status", { hasText: "Live: following" }).waitFor();
  const cookies = await admin.context.cookies();
  const session = cookies.find((c) => c.name === "errand_console");
  assert.ok(session, "a session cookie");
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Strict");
  assert.equal(session.path, "/console");

  step = "the agent signs in";
  const agent = await signedIn({ key: agentKey });
  assert.match(agent.page.url(), /\/console\/desk$/);
  step = "the agent adds funds through the sandbox checkout";
  await agent.page.locator("#available", { hasText: "$50.00" }).waitFor();
  await agent.page.getByLabel("Add funds ($)", { exact: true }).fill("20.00");
  await agent.page.getByRole("button", { name: "Go to checkout" }).click();
  await agent.page.getByRole("button", { name: /^Pay/ }).click();
  await agent.page.getByText("is in your account").waitFor();
  await agent.page.goto(`${base}/console/desk`);
  await agent.page.locator("#available", { hasText: "$70.00" }).waitFor();

  step = "the agent posts a task from the poster's desk";
  await agent.page.getByLabel("Title", { exact: true }).fill("Is the bakery on Rue Lafleur open?");
  await agent.page.getByLabel("Description", { exact: true }).fill("Walk by, look at the door, say what the sign says.");
  await agent.page.getByLabel("Reward per slot ($)", { exact: true }).fill("5.00");
  await agent.page.getByLabel("Kind", { exact: true }).fill("verification");
  await agent.page.getByRole("button", { name: "Post and hold escrow" }).click();
  await agent.page.locator("#task-status", { hasText: "open" }).waitFor();
  const taskUrl = agent.page.url();
  assert.match(taskUrl, /\/console\/tasks\/[0-9a-f-]{36}$/);

  step = "the poster's desk shows the new task, and follows it live from here";
  await agent.page.goto(`${base}/console/desk`);
  await agent.page.locator("#desk-tasks tbody tr", { hasText: "Is the bakery on Rue Lafleur open?" }).waitFor();
  await agent.page.locator("#awaiting", { hasText: "No submission awaits your review." }).waitFor();
  // A mark on this very page: a reload would lose it.
  await agent.page.evaluate(() => { window.followedLive = true; });

  step = "the live journal shows the posting as it happens";
  await admin.page.locator("#journal tbody tr", { hasText: "TaskPosted" }).first().waitFor();

  step = "a person signs in and finds the task on the work board";
  const human = await signedIn({ email: humanEmail, password: humanPassword });
  assert.match(human.page.url(), /\/console\/board$/);
  await human.page.getByLabel("Kind", { exact: true }).selectOption("verification");
  await human.page.getByLabel("Reward at least ($)", { exact: true }).fill("4.00");
  await human.page.getByRole("button", { name: "Filter" }).click();
  const link = human.page.getByRole("link", { name: "Is the bakery on Rue Lafleur open?" });
  await link.waitFor();
  await shot(human.page, "work-board");
  // Responsive: the same page on a phone's width, nothing wider than the screen.
  await human.page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await human.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), "no sideways scrolling on a phone");
  await shot(human.page, "work-board-phone");
  await human.page.setViewportSize({ width: 1200, height: 860 });

  step = "location and skills narrow the work board";
  const postTask = async (body) => {
    const posted = await fetch(`${base}/v1/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const reply = await posted.text();
    assert.equal(posted.status, 201, reply);
    return JSON.parse(reply);
  };
  await postTask({ title: "Hand out flyers in Verdun", reward_cents: 100, kind: "delivery", details: { location: "Verdun, Montreal" } });
  await postTask({ title: "Check the French on a menu", reward_cents: 100, kind: "proofreading", details: { languages: ["French"] } });
  const board = `${base}/console/board`;
  const flyers = human.page.getByRole("link", { name: "Hand out flyers in Verdun" });
  const french = human.page.getByRole("link", { name: "Check the French on a menu" });
  const bakery = human.page.getByRole("link", { name: "Is the bakery on Rue Lafleur open?" });
  await eventually(human.page, board, flyers);
  await human.page.getByLabel("Location", { exact: true }).fill("verdun");
  await human.page.getByRole("button", { name: "Filter" }).click();
  await flyers.waitFor();
  assert.equal(await french.count(), 0, "the location narrows the board");
  assert.equal(await bakery.count(), 0);
  await human.page.getByLabel("Location", { exact: true }).fill("");
  await human.page.getByLabel("Skills", { exact: true }).fill("french, photography");
  await human.page.getByRole("button", { name: "Filter" }).click();
  await french.waitFor();
  assert.equal(await flyers.count(), 0, "skills narrow the board");
  assert.equal(await bakery.count(), 0);

  step = "the work board matches the person's profile";
  {
    const login = await fetch(`${base}/v1/people/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: humanEmail, password: humanPassword }),
    });
    const tokens = await login.json();
    assert.equal(login.status, 200, JSON.stringify(tokens));
    const profile = await fetch(`${base}/v1/people/me`, {
      method: "PUT",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ skills: ["Delivery"], location: { text: "Verdun, QC" } }),
    });
    assert.equal(profile.status, 200, await profile.text());
    await human.page.goto(board);
    await human.page.getByLabel("Match my profile", { exact: true }).check();
    await human.page.getByRole("button", { name: "Filter" }).click();
    await flyers.waitFor();
    assert.equal(await french.count(), 0);
    assert.equal(await human.page.getByLabel("Skills", { exact: true }).inputValue(), "Delivery");
    assert.equal(await human.page.getByLabel("Location", { exact: true }).inputValue(), "Verdun, QC");
  }

  step = "a second page exists when more tasks match than a page holds";
  {
    for (let i = 1; i <= 21; i++) {
      await postTask({ title: `Flyer run ${i}`, reward_cents: 1, kind: "flyer_run" });
    }
    const first = `${board}?kind=flyer_run`;
    await eventually(human.page, first, human.page.getByRole("link", { name: "Flyer run 21", exact: true }));
    await eventually(human.page, first, human.page.locator("#next-page"));
    assert.equal(await human.page.getByRole("link", { name: /^Flyer run \d+$/ }).count(), 20, "a page holds 20");
    await human.page.locator("#next-page").click();
    await human.page.getByRole("link", { name: "Flyer run 1", exact: true }).waitFor();
    assert.equal(await human.page.getByRole("link", { name: /^Flyer run \d+$/ }).count(), 1, "the oldest is on the second page");
    assert.equal(await human.page.locator("#next-page").count(), 0, "and it is the last");
    assert.equal(await human.page.getByLabel("Kind", { exact: true }).inputValue(), "flyer_run", "the filters carry over");
  }

  step = "a reward that is not an amount is refused with the API's message";
  await human.page.goto(board);
  await human.page.getByLabel("Reward at least ($)", { exact: true }).fill("four");
  await human.page.getByRole("button", { name: "Filter" }).click();
  await human.page.getByRole("alert").getByText("min_reward: amount is not a number: four").waitFor();
  await human.page.getByText("422 Unprocessable Entity").waitFor();
  await human.page.goto(`${board}?kind=verification`);

  step = "the person takes the task";
  await link.click();
  await human.page.getByRole("button", { name: "Accept this task" }).click();
  await human.page.getByRole("heading", { name: "Hand in proof" }).waitFor();

  step = "the person uploads proof with a preview";
  await human.page.getByLabel("What you did", { exact: true }).fill("Open, 7 to 6; photo of the sign attached.");
  await human.page.getByLabel(/A photo, video or audio file/).setInputFiles({
    name: "sign.png", mimeType: "image/png", buffer: png(160, 100, [240, 140, 20]),
  });
  await human.page.locator("#proof-preview img").waitFor();
  await shot(human.page, "proof");
  await human.page.getByRole("button", { name: "Submit proof" }).click();
  await human.page.locator(".submission", { hasText: "pending" }).waitFor();
  const stored = human.page.locator(".submission img.proof-image");
  await stored.waitFor();
  assert.ok(await stored.evaluate((img) => img.complete && img.naturalWidth === 160), "the stored photo loads");
  await shot(human.page, "task");

  step = "the live journal shows the submission as it happens";
  await admin.page.locator("#journal tbody tr", { hasText: "WorkSubmitted" }).first().waitFor();

  step = "the poster's open desk shows the submission without a reload";
  await agent.page.locator("#awaiting", { hasText: "1 submission awaits your review." }).waitFor();
  // The tasks' table followed too: the task's "awaiting review" column says 1.
  const bakeryRow = agent.page.locator("#desk-tasks tbody tr", { hasText: "Is the bakery on Rue Lafleur open?" });
  await bakeryRow.locator("td").nth(5).filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await agent.page.evaluate(() => window.followedLive), true, "the desk was not reloaded");

  step = "the poster reviews and approves";
  await agent.page.goto(`${base}/console/desk`);
  await agent.page.getByText("Open, 7 to 6; photo of the sign attached.").waitFor();
  await shot(agent.page, "posters-desk");
  await agent.page.getByRole("button", { name: "Approve and pay" }).click();
  await agent.page.locator(".submission", { hasText: "approved" }).waitFor();
  await agent.page.getByText("Paid $4.50").waitFor();

  step = "the live journal shows the approval as it happens";
  await admin.page.locator("#journal tbody tr", { hasText: "SubmissionApproved" }).first().waitFor();
  await shot(admin.page, "journal");

  step = "the person applies to an apply-select task and the poster selects them";
  {
    const posted = await fetch(`${base}/v1/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Photograph the mural on Rue Fabre", reward_cents: 300, assignment: "apply_select", kind: "photography" }),
    });
    assert.equal(posted.status, 201, await posted.text());
    await human.page.goto(`${base}/console/board`);
    await human.page.getByRole("link", { name: "Photograph the mural on Rue Fabre" }).click();
    const muralUrl = human.page.url();
    await human.page.getByLabel("A note for the poster (optional)", { exact: true }).fill("I live on that street.");
    await human.page.getByRole("button", { name: "Apply" }).click();
    await human.page.locator(".applications", { hasText: "pending" }).waitFor();
    await agent.page.goto(muralUrl);
    await agent.page.getByText("I live on that street.").waitFor();
    await agent.page.getByRole("button", { name: "Select this applicant" }).click();
    await agent.page.locator(".applications", { hasText: "selected" }).waitFor();
    await human.page.goto(muralUrl);
    await human.page.getByRole("heading", { name: "Hand in proof" }).waitFor();

    step = "the poster disputes a text-only proof with a reason";
    await human.page.getByLabel("What you did", { exact: true }).fill("Took it from across the street.");
    await human.page.getByRole("button", { name: "Submit proof" }).click();
    await human.page.locator(".submission", { hasText: "pending" }).waitFor();
    await agent.page.goto(muralUrl);
    await agent.page.getByLabel("Reason to dispute", { exact: true }).fill("The photo is missing.");
    await agent.page.getByRole("button", { name: "Dispute (refund)" }).click();
    await agent.page.locator(".submission", { hasText: "disputed" }).waitFor();
    await agent.page.getByText("Reason: The photo is missing.").waitFor();
  }

  step = "the person's session outlives their access token";
  {
    const before = (await human.context.cookies()).find((c) => c.name === "errand_console").value;
    assert.ok((await human.context.cookies()).some((c) => c.name === "errand_console_refresh" && c.httpOnly));
    await human.page.waitForTimeout(Number(process.env.ERRAND_ACCESS_TOKEN_TTL_MS || "0") + 1_000);
    await human.page.goto(`${base}/console/board`);
    assert.match(human.page.url(), /\/console\/board$/, "still signed in");
    const after = (await human.context.cookies()).find((c) => c.name === "errand_console").value;
    if (process.env.ERRAND_ACCESS_TOKEN_TTL_MS) assert.notEqual(after, before, "the access token was renewed");
  }

  step = "the person's balance and ledger show the payout";
  await human.page.goto(`${base}/console/board`);
  await human.page.locator("#available", { hasText: "$4.50" }).waitFor();
  await human.page.getByRole("link", { name: "Ledger" }).click();
  await human.page.locator("#ledger-earned", { hasText: "$4.50" }).waitFor();
  await human.page.locator("#postings tbody tr", { hasText: "$4.50" }).first().waitFor();
  await shot(human.page, "ledger");

  step = "the earnings page shows the payout, the reviews and the reputation";
  await human.page.getByRole("link", { name: "My work", exact: true }).click();
  await human.page.waitForURL(/\/console\/earnings$/);
  await human.page.locator("#earnings-earned", { hasText: "$4.50" }).waitFor();
  await human.page.locator("#total-approved strong", { hasText: "1" }).waitFor();
  await human.page.locator("#total-earned", { hasText: "$4.50" }).waitFor();
  await human.page.locator("#total-fees", { hasText: "$0.50" }).waitFor();
  await human.page.locator("#earned svg text", { hasText: "$4.50" }).waitFor();
  await human.page.locator("#decisions li[data-status=approved]", { hasText: "Is the bakery on Rue Lafleur open?" }).getByText("Paid $4.50").waitFor();
  await human.page.locator("#decisions li[data-status=disputed]", { hasText: "The photo is missing." }).waitFor();
  await human.page.getByRole("heading", { name: "Reputation" }).waitFor();
  await human.page.locator("#trust-score").waitFor();
  await human.page.locator("#reputation-completed", { hasText: "1" }).waitFor();
  await shot(human.page, "earnings");

  step = "an event opens with payload, metadata and hash";
  await admin.page.locator("#journal tbody tr", { hasText: "SubmissionApproved" }).first().getByRole("link").click();
  await admin.page.locator("#event-type", { hasText: "SubmissionApproved" }).waitFor();
  await admin.page.getByRole("heading", { name: "Metadata" }).waitFor();
  await admin.page.locator("code.hash").waitFor();
  await shot(admin.page, "event");

  step = "verify runs the audit";
  await admin.page.goto(`${base}/console/journal`);
  await admin.page.getByRole("link", { name: "Verify the ledger" }).click();
  await admin.page.locator("#verdict", { hasText: "Every invariant holds." }).waitFor();
  assert.equal(await admin.page.locator("ul.invariants li.broken").count(), 0);
  assert.ok((await admin.page.locator("ul.invariants li.ok").count()) >= 5);
  await shot(admin.page, "verify");

  step = "the trial balance sums to zero";
  await admin.page.getByRole("link", { name: "Ledger" }).click();
  await admin.page.locator(".trial-total", { hasText: "balanced" }).first().waitFor();
  assert.equal(await admin.page.locator(".trial-total", { hasText: "NOT balanced" }).count(), 0);
  await shot(admin.page, "trial-balance");

  step = "the charts show the day's money, task states and projection lag";
  await admin.page.getByRole("link", { name: "Charts" }).click();
  await admin.page.locator("#volume svg text", { hasText: "$5.00" }).waitFor();
  await admin.page.locator("#paid svg text", { hasText: "$4.50" }).waitFor();
  await admin.page.locator("#fees svg text", { hasText: "$0.50" }).waitFor();
  await admin.page.locator("#states svg text", { hasText: "completed" }).waitFor();
  await admin.page.locator("#projection-lag").waitFor();
  // The projector has stepped this minute: the last hour's line has a point now.
  await admin.page.locator("#lag-history svg").waitFor();
  await admin.page.locator("#lag-history .hint", { hasText: "events behind in the last hour" }).waitFor();
  await shot(admin.page, "charts");

  step = "the poster rejects work with a reason";
  {
    const posted = await fetch(`${base}/v1/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Count the benches in Parc Jarry", reward_cents: 200, kind: "survey" }),
    });
    const reply = await posted.text();
    assert.equal(posted.status, 201, reply);
    const benchesUrl = `${base}/console/tasks/${JSON.parse(reply).id}`;
    await human.page.goto(benchesUrl);
    await human.page.getByRole("button", { name: "Accept this task" }).click();
    await human.page.getByLabel("What you did", { exact: true }).fill("There are a lot of benches.");
    await human.page.getByRole("button", { name: "Submit proof" }).click();
    await human.page.locator(".submission", { hasText: "pending" }).waitFor();
    await agent.page.goto(benchesUrl);
    await agent.page.getByRole("button", { name: "Reject" }).click();
    assert.match(agent.page.url(), /\/console\/tasks\//, "an empty reason is stopped by the form");
    await agent.page.getByLabel("Reason to reject", { exact: true }).fill("The count is missing.");
    await agent.page.getByRole("button", { name: "Reject" }).click();
    await agent.page.locator(".submission", { hasText: "rejected" }).waitFor();
    await agent.page.getByText("Reason: The count is missing.").waitFor();
    await human.page.goto(benchesUrl);
    await human.page.getByText("Reason: The count is missing.").waitFor();
  }

  step = "the admin sees the open Humai dispute with its evidence";
  const disputes = `${base}/console/admin/disputes`;
  const open = admin.page.locator(`article.dispute[data-dispute="${disputeId}"]`);
  await eventually(admin.page, disputes, open);
  await open.locator(".amount", { hasText: "$75.01" }).waitFor();
  await open.getByText("Output does not match schema").waitFor();
  await open.locator("ol.evidence li", { hasText: "https://example.com/e.png" }).waitFor();
  await shot(admin.page, "disputes");

  step = "a split without the seller's share is refused with the API's message";
  await open.getByLabel("Resolution", { exact: true }).selectOption("split");
  await open.getByRole("button", { name: "Resolve" }).click();
  await admin.page.getByRole("alert").getByText("a split names the seller's share: seller_pct, 1 to 99").waitFor();
  await admin.page.getByText("400 Bad Request").waitFor();
  // The refusal keeps the console's navigation, so the admin goes on from it.
  await admin.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Disputes" }).waitFor();

  step = "a console path that names no page is a 404 page with the navigation";
  {
    const missing = await admin.page.goto(`${base}/console/no-such-page`);
    assert.equal(missing.status(), 404);
    await admin.page.getByRole("alert").getByText("no console page here").waitFor();
    await admin.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Charts" }).waitFor();
  }

  step = "the admin resolves the dispute with a split and sees the money it moved";
  await admin.page.goto(disputes);
  await open.getByLabel("Resolution", { exact: true }).selectOption("split");
  await open.getByLabel("Seller's share (%, for a split)", { exact: true }).fill("33");
  await open.getByLabel("Note", { exact: true }).fill("A third was usable");
  await open.getByRole("button", { name: "Resolve" }).click();
  const outcome = admin.page.locator(`#resolved-disputes tr[data-dispute="${disputeId}"]`);
  await eventually(admin.page, disputes, outcome);
  // 33 % of $75.01 is $24.75 to the seller's side, less its fee ($2.48); the buyer gets the rest.
  await outcome.locator(".seller-paid", { hasText: "$22.27" }).waitFor();
  await outcome.locator(".buyer-refunded", { hasText: "$50.26" }).waitFor();
  await outcome.getByText("A third was usable").waitFor();
  assert.equal(await open.count(), 0, "a resolved dispute leaves the queue");
  await shot(admin.page, "dispute-resolved");

  step = "resolving it again is refused";
  {
    const again = await admin.context.request.post(`${base}/console/admin/disputes/${disputeId}/resolve`, {
      form: { csrf: await admin.page.locator("form.sign-out input[name=csrf]").inputValue(), resolution: "refund_buyer" },
    });
    assert.equal(again.status(), 409);
  }

  step = "the admin suspends a Humai listing with a reason";
  const listings = `${base}/console/admin/listings`;
  await admin.page.getByRole("link", { name: "Listings", exact: true }).click();
  await admin.page.getByLabel("Find listings by title, tags or description", { exact: true }).fill("bakery menu");
  await admin.page.getByRole("button", { name: "Search" }).click();
  const listed = admin.page.locator("#listings tbody tr", { hasText: listingTitle });
  await listed.waitFor();
  await listed.getByRole("button", { name: "Suspend" }).click();
  assert.match(admin.page.url(), /\/console\/admin\/listings/, "an empty reason is stopped by the form");
  await listed.getByLabel("Reason", { exact: true }).fill("misleading title in the test");
  await listed.getByRole("button", { name: "Suspend" }).click();
  const held = admin.page.locator("#suspended-listings tbody tr", { hasText: listingTitle });
  await eventually(admin.page, listings, held);
  assert.equal(await admin.page.locator("#listings tbody tr", { hasText: listingTitle }).count(), 0, "search no longer finds it");
  await shot(admin.page, "listings");

  step = "the admin reinstates the listing";
  await held.getByLabel("Reason", { exact: true }).fill("title fixed");
  await held.getByRole("button", { name: "Reinstate" }).click();
  await eventually(admin.page, listings, admin.page.locator("#listings tbody tr", { hasText: listingTitle }));
  assert.equal(await held.count(), 0);
  await eventually(admin.page, `${base}/console/admin`, admin.page.locator("#audit-log tbody tr", { hasText: "reinstate_tool" }));
  await admin.page.locator("#audit-log tbody tr", { hasText: "suspend_tool" }).first().waitFor();

  step = "the admin freezes the agent with a reason";
  await admin.page.getByRole("link", { name: "Admin" }).click();
  await admin.page.getByLabel("Find actors by name, email or id", { exact: true }).fill(agentId);
  await admin.page.getByRole("button", { name: "Search" }).click();
  const row = admin.page.locator(`#actors tr[data-actor="${agentId}"]`);
  await row.getByLabel("Action", { exact: true }).selectOption("freeze_agent");
  await row.getByLabel("Reason", { exact: true }).fill("posting spam in the test");
  await row.getByRole("button", { name: "Apply" }).click();
  await admin.page.locator("#audit-log tbody tr", { hasText: "freeze_agent" }).first().waitFor();
  await admin.page.getByLabel("Find actors by name, email or id", { exact: true }).fill(agentId);
  await admin.page.getByRole("button", { name: "Search" }).click();
  await admin.page.locator(`#actors tr[data-actor="${agentId}"] .standing`, { hasText: "frozen" }).waitFor();
  await admin.page.getByRole("heading", { name: "Webhook deliveries" }).waitFor();
  await shot(admin.page, "admin");

  step = "the frozen agent's next post is refused in the page";
  await agent.page.goto(`${base}/console/desk`);
  await agent.page.getByText("Post a task").click();
  await agent.page.getByLabel("Title", { exact: true }).fill("One more task");
  await agent.page.getByLabel("Reward per slot ($)", { exact: true }).fill("1.00");
  await agent.page.getByRole("button", { name: "Post and hold escrow" }).click();
  await agent.page.getByRole("alert").getByText("actor is frozen").waitFor();
  await agent.page.getByText("403 Forbidden").waitFor();
  await shot(agent.page, "refused");

  step = "the frozen agent's next post is refused by the API";
  const response = await fetch(`${base}/v1/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "One more task", reward_cents: 100 }),
  });
  const problem = await response.json();
  assert.equal(response.status, 403, JSON.stringify(problem));
  assert.equal(problem.detail, "actor is frozen");

  step = "a form without the session's CSRF token is refused";
  const forged = await agent.context.request.post(`${base}/console/desk/tasks`, {
    form: { csrf: "forged", title: "x", reward: "1.00" },
  });
  assert.equal(forged.status(), 403);

  step = "signing out clears the session";
  await human.page.getByRole("button", { name: "Sign out" }).click();
  await human.page.waitForURL(/\/console\/sign-in$/);
  assert.equal((await human.context.cookies()).filter((c) => c.name === "errand_console" && c.value).length, 0);
  await human.page.goto(`${base}/console/ledger`);
  assert.match(human.page.url(), /\/console\/sign-in$/);

  console.log("console journey: every step held");
} catch (error) {
  console.error(`console journey failed at: ${step}`);
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
}
