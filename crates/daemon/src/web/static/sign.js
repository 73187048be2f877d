// «Подпись токеном»: the signature the node waits for, made by the CryptoPro plug-in with the
// clerk's own token. The node hands out only a digest and what it is, in words; the plug-in
// signs the digest; the node checks the signature and the certificate before anything goes on.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("signing");
  if (!box) return;
  const csrf = box.dataset.csrf;
  const $ = (id) => document.getElementById(id);
  const say = (text, kind) => { $("sign-status").textContent = text; $("sign-status").className = kind || ""; };
  let current = null;
  let found = [];

  const show = (p) => {
    current = p;
    $("sign-what").textContent = p ? p.what : "—";
    $("sign-hash").textContent = p ? p.hash : "—";
    $("sign-go").disabled = !p;
    $("sign-no").disabled = !p;
    if (!p) say("Подписей, ждущих вас, нет: страница проверяет это каждые 2 секунды.");
    else say("Ждёт вашей подписи. Вставьте токен и нажмите «Подписать токеном».");
  };
  let timer = null;
  const poll = async () => {
    try {
      const r = await fetch("/sign/pending", { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401 || r.status === 403) {
        // The session is over: say so (not «nothing waits»), and stop asking.
        const j = await r.json().catch(() => ({}));
        clearInterval(timer);
        show(null);
        say((j && j.message) || "Сеанс закончился: войдите заново", "error");
        return;
      }
      if (!r.ok) return;
      const p = await r.json();
      if ((p && p.id) !== (current && current.id)) show(p);
    } catch (_) { /* the next poll tries again */ }
  };
  // The certificates are read again after any outcome: the clerk may pick another, or put
  // in another token.
  const forget = () => {
    found = [];
    $("sign-cert").replaceChildren();
    $("sign-cert").hidden = true;
  };
  const post = async (path, fields) => {
    const body = new URLSearchParams(Object.assign({ _csrf: csrf }, fields));
    let r;
    try {
      r = await fetch(path, { method: "POST", body, credentials: "same-origin" });
    } catch (_) {
      return { ok: false, message: "Узел не ответил: проверьте сеть и повторите" };
    }
    try {
      return await r.json();
    } catch (_) {
      return { ok: false, message: "Узел ответил ошибкой " + r.status + ": повторите" };
    }
  };
  const plugin = async () => {
    if (typeof window.cadesplugin === "undefined") {
      throw new Error("Плагин «КриптоПро ЭЦП Browser plug-in» не найден: он и КриптоПро CSP должны быть установлены на этом компьютере");
    }
    // `cadesplugin` is a promise with the plug-in's methods on it: awaited for it to load,
    // never returned from an async function (that would await it again, to nothing).
    await window.cadesplugin;
  };
  // The certificates with a private key in the user's store (the tokens plugged in).
  const certificates = async (cp) => {
    const store = await cp.CreateObjectAsync("CAdESCOM.Store");
    await store.Open(cp.CAPICOM_CURRENT_USER_STORE, cp.CAPICOM_MY_STORE, cp.CAPICOM_STORE_OPEN_MAXIMUM_ALLOWED);
    const all = await store.Certificates;
    const n = await all.Count;
    const list = [];
    for (let i = 1; i <= n; i++) {
      const c = await all.Item(i);
      if (!(await c.HasPrivateKey())) continue;
      list.push({ cert: c, subject: await c.SubjectName, until: await c.ValidToDate });
    }
    await store.Close();
    return list;
  };

  $("sign-go").addEventListener("click", async () => {
    if (!current) return;
    const p = current;
    $("sign-go").disabled = true;
    try {
      say("Обращение к плагину КриптоПро…");
      await plugin();
      const cp = window.cadesplugin;
      if (found.length === 0) found = await certificates(cp);
      if (found.length === 0) throw new Error("На этом компьютере нет сертификатов с закрытым ключом: вставьте токен и повторите");
      const pick = $("sign-cert");
      if (found.length > 1 && pick.options.length === 0) {
        found.forEach((c, i) => pick.add(new Option(c.subject + " (до " + c.until + ")", String(i))));
        pick.hidden = false;
        throw new Error("Выберите сертификат и нажмите «Подписать токеном» ещё раз");
      }
      const chosen = found[Number(pick.value || 0)];
      const hashed = await cp.CreateObjectAsync("CAdESCOM.HashedData");
      await hashed.propset_Algorithm(cp.CADESCOM_HASH_ALGORITHM_CP_GOST_3411_2012_256);
      await hashed.SetHashValue(p.hash);
      const raw = await cp.CreateObjectAsync("CAdESCOM.RawSignature");
      const signature = await raw.SignHash(hashed, chosen.cert);
      const certificate = await chosen.cert.Export(cp.CADESCOM_ENCODE_BASE64);
      say("Узел проверяет подпись…");
      const r = await post("/sign/done", { id: p.id, certificate, signature });
      if (r.ok) {
        forget();
        show(null);
        say("Подписано: " + p.what + ". Действие продолжается в программе.", "ok");
      } else {
        forget();
        say(r.message, "error");
      }
    } catch (e) {
      // Not when the clerk is asked to pick among several: the list stays for that.
      if (!(found.length > 1 && !$("sign-cert").hidden)) forget();
      say((e && e.message) || String(e), "error");
    } finally {
      $("sign-go").disabled = !current;
    }
  });
  $("sign-no").addEventListener("click", async () => {
    if (!current) return;
    const r = await post("/sign/declined", { id: current.id });
    show(null);
    say(r.message, r.ok ? "" : "error");
  });
  poll();
  timer = setInterval(poll, 2000);
});
