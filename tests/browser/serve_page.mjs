// Opens greenbert serve's web page in Debian's chromium (headless), types a title and an
// abstract as a person would, asks for categories and prints what the page shows as JSON:
//   node serve_page.mjs URL TITLE ABSTRACT PROFILE_DIR
// Used by tests/serve_browser_test.cpp; nothing is downloaded (puppeteer-core, no browser).
import puppeteer from "puppeteer-core";

const [url, title, abstract, profile] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const failures = [];
  page.on("requestfailed", (r) => failures.push(r.url()));
  page.on("pageerror", (e) => failures.push("page error: " + e.message));
  await page.goto(url, { waitUntil: "load", timeout: 60000 });
  await page.waitForFunction(
      () => !document.getElementById("model").textContent.startsWith("Loading"),
      { timeout: 60000 });
  await page.type("#title", title);
  await page.type("#abstract", abstract);
  await page.click("#classify");
  await page.waitForSelector("#results .category", { timeout: 60000 });
  const shown = await page.evaluate(() => ({
    model: document.getElementById("model").textContent,
    summary: document.getElementById("summary").textContent,
    time: document.getElementById("time").textContent,
    energy: document.getElementById("energy").textContent,
    error: document.getElementById("error").textContent,
    categories: [...document.querySelectorAll("#results .category")].map((row) => ({
      label: row.dataset.label,
      name: row.querySelector(".name").textContent,
      shown: row.querySelector(".probability").textContent,
      probability: Number(row.dataset.probability),
      threshold: Number(row.dataset.threshold),
      suggested: row.classList.contains("suggested"),
      bar: row.querySelector(".fill").style.width,
      mark: row.querySelector(".threshold").style.left,
    })),
  }));
  shown.failures = failures;
  console.log(JSON.stringify(shown));
} finally {
  await browser.close();
}
