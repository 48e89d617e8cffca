/* Copy-the-feed-URL buttons: <button class="copy" data-copy="relative feed URL">.
 *
 * An external file because the site sends a strict Content-Security-Policy (no inline
 * script). Buttons are rendered `hidden` and shown here, so a page without JavaScript has no
 * dead controls. The copied URL is absolute, resolved against the page's own address, so it
 * is right wherever the static export is hosted. Feedback goes into the .copy-status element
 * beside the button (role="status", read out by screen readers).
 */
"use strict";

(function () {
  const RESET_MS = 5000;

  function absoluteUrl(href) {
    return new URL(href, document.baseURI).href;
  }

  // Plain-http pages (not a secure context) have no navigator.clipboard: fall back to a
  // selected, off-screen textarea and the older copy command.
  function legacyCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (err) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (err) {
        // permission refused: try the legacy way below
      }
    }
    return legacyCopy(text);
  }

  function report(button, ok, url) {
    const status = button.parentElement.querySelector(".copy-status");
    if (!status) {
      return;
    }
    const label = document.createElement("strong");
    label.textContent = ok ? "已复制订阅地址" : "无法自动复制，请手动复制：";
    const shown = document.createElement("span");
    shown.className = "url";
    shown.textContent = url; // text, never markup
    status.replaceChildren(label, shown);
    status.dataset.state = ok ? "ok" : "error";
    button.classList.toggle("done", ok);
    window.clearTimeout(button.copyTimer);
    button.copyTimer = window.setTimeout(function () {
      status.replaceChildren();
      delete status.dataset.state;
      button.classList.remove("done");
    }, RESET_MS);
  }

  function setUp(button) {
    button.hidden = false;
    button.addEventListener("click", async function () {
      const url = absoluteUrl(button.dataset.copy);
      report(button, await copyText(url), url);
    });
  }

  document.querySelectorAll("button.copy[data-copy]").forEach(setUp);
})();
