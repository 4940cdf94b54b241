// 红管家 demo page: plain JS, no dependencies. Everything shown comes from the stand-in's
// control API; user and bot text is put in the page only through text nodes, never parsed as HTML.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  const BOT = params.get("bot");  // optional: which bot, when several use the stand-in

  const state = {
    bot: null,          // {id, username, first_name}
    users: new Map(),   // id -> user
    chats: new Map(),   // chat id -> summary
    current: null,      // chat id
    actor: null,        // user id
    cursor: 0,
    replyTo: null,      // message
    unread: new Map(),  // chat id -> count
    rendered: new Map(),// message_id -> element (current chat)
    messages: new Map(),// message_id -> message (current chat)
  };

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };

  // -- control API ------------------------------------------------------------------------
  async function api(method, path, body, query) {
    const q = new URLSearchParams(query || {});
    if (BOT) q.set("bot", BOT);
    const qs = q.toString();
    const resp = await fetch("/_standin" + path + (qs ? "?" + qs : ""), {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(data.error || ("HTTP " + resp.status));
    return data;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function toast(text, ms) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, ms || 2500);
  }

  function alertBox(text) {
    $("modal-text").textContent = text;
    $("modal").hidden = false;
    $("modal-ok").focus();
  }
  $("modal-ok").addEventListener("click", () => { $("modal").hidden = true; });

  // -- names and helpers -------------------------------------------------------------------
  function userName(u) {
    if (!u) return "?";
    return u.first_name + (u.last_name ? " " + u.last_name : "");
  }
  function isBotMessage(m) { return m.from && m.from.is_bot; }
  function shortText(m) {
    if (!m) return "";
    if (m.text) return m.text;
    if (m.photo) return "[图片] " + (m.caption || "");
    if (m.document) return "[文件] " + (m.document.file_name || "") + " " + (m.caption || "");
    if (m.location) return "[位置]";
    if (m.contact) return "[联系人] " + m.contact.first_name;
    if (m.migrate_to_chat_id) return "[本群已升级为超级群]";
    if (m.migrate_from_chat_id) return "[由普通群升级而来]";
    return "[消息]";
  }
  function timeOf(m) {
    const d = new Date((m.date || 0) * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  function chatTitle(c) {
    if (!c) return "";
    if (c.type === "private") {
      const u = state.users.get(c.id);
      return userName(u) + " ↔ " + (state.bot ? state.bot.first_name : "机器人");
    }
    return c.title;
  }
  function safeUrl(url) {
    return /^(https?:|tg:)/i.test(url || "") ? url : null;
  }

  // -- rich text from Bot API entities (UTF-16 offsets = JS string indices) -----------------
  function entityNode(e, text) {
    switch (e.type) {
      case "bold": return el("b");
      case "italic": return el("i");
      case "underline": return el("u");
      case "strikethrough": return el("s");
      case "code": return el("code");
      case "pre": { const p = el("pre"); if (e.language) p.dataset.language = e.language; return p; }
      case "blockquote": case "expandable_blockquote": return el("blockquote");
      case "spoiler": {
        const s = el("span", "spoiler");
        s.title = "点击显示";
        s.addEventListener("click", () => s.classList.add("revealed"));
        return s;
      }
      case "text_link": case "url": {
        const href = safeUrl(e.type === "url" ? text.slice(e.offset, e.offset + e.length) : e.url);
        if (!href) return el("span");
        const a = el("a");
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        deepLink(a, href);
        return a;
      }
      case "mention": case "text_mention": return el("span", "mention");
      case "hashtag": case "cashtag": return el("span", "hashtag");
      case "bot_command": {
        const s = el("span", "cmd");
        const cmd = text.slice(e.offset, e.offset + e.length).split("@")[0];
        s.title = "点击填入 " + cmd;
        s.addEventListener("click", () => { $("text").value = cmd + " "; $("text").focus(); });
        return s;
      }
      default: return el("span");
    }
  }

  function richText(text, entities) {
    const root = document.createDocumentFragment();
    text = text || "";
    const ents = (entities || [])
      .filter((e) => e && e.length > 0 && e.offset >= 0 && e.offset + e.length <= text.length)
      .slice()
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    const stack = [{ node: root, end: text.length }];
    let pos = 0;
    const top = () => stack[stack.length - 1];
    const emit = (upto) => {
      if (upto > pos) {
        top().node.appendChild(document.createTextNode(text.slice(pos, upto)));
        pos = upto;
      }
    };
    for (const e of ents) {
      const start = e.offset, end = e.offset + e.length;
      while (stack.length > 1 && top().end <= start) { emit(top().end); stack.pop(); }
      if (start < pos || end > top().end) continue;  // overlapping entity: leave as plain text
      emit(start);
      const node = entityNode(e, text);
      top().node.appendChild(node);
      stack.push({ node, end });
    }
    while (stack.length > 1) { emit(top().end); stack.pop(); }
    emit(text.length);
    return root;
  }

  // -- deep links: t.me/<this bot>?start=<payload> opens the private chat as Telegram would -----
  function deepLink(a, href) {
    const m = /^https:\/\/t\.me\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]{1,64})$/.exec(href || "");
    if (!m) return;
    a.addEventListener("click", (ev) => {
      if (!state.bot || m[1].toLowerCase() !== state.bot.username.toLowerCase()) return;
      ev.preventDefault();
      openStart(m[2]);
    });
  }

  function openStart(payload) {
    const sel = $("start-user");
    sel.replaceChildren();
    for (const u of state.users.values()) {
      const opt = el("option", null, userName(u) + (u.phone_number ? " · " + u.phone_number : ""));
      opt.value = String(u.id);
      sel.appendChild(opt);
    }
    $("start-modal").hidden = false;
    $("start-ok").onclick = async () => {
      $("start-modal").hidden = true;
      const id = Number(sel.value);
      try {
        await api("POST", "/users/" + id + "/start", { payload });
        await refreshChats();
        await selectChat(id);
      } catch (e) { toast(e.message); }
    };
  }
  $("start-cancel").addEventListener("click", () => { $("start-modal").hidden = true; });

  // -- the reply keyboard the bot gave this chat's user (e.g. 分享我的手机号) --------------------
  function renderReplyKeyboard() {
    const box = $("reply-kb");
    box.replaceChildren();
    const c = state.chats.get(state.current);
    const kb = c && c.keyboard && c.keyboard.keyboard;
    const mine = state.current !== null && state.current > 0 && state.actor === state.current;
    box.hidden = !(kb && kb.length && (mine || state.current < 0));
    if (box.hidden) return;
    for (const row of kb) {
      const r = el("div", "row");
      for (const b of row) {
        const btn = el("button", null, b.text);
        btn.type = "button";
        btn.addEventListener("click", () => keyboardPress(b));
        r.appendChild(btn);
      }
      box.appendChild(r);
    }
  }

  async function keyboardPress(b) {
    if (b.request_contact) {
      const u = state.users.get(state.actor);
      let own = { own: true };
      if (!u || !u.phone_number) {
        // the stand-in knows no number for this account: the visitor says which it has
        const phone = prompt("这个账号的手机号（模拟 Telegram 账号绑定的号码）", "");
        if (!phone) return;
        own.phone_number = phone.trim();
      }
      if (!confirm("把你的手机号分享给机器人？")) return;
      await sendBody({ contact: own });
      return;
    }
    await sendBody({ text: b.text });
  }

  // -- messages ----------------------------------------------------------------------------
  function renderMessage(m) {
    const mine = !isBotMessage(m) && m.from && m.from.id === state.actor;
    const wrap = el("div", "msg" + (isBotMessage(m) ? " bot" : "") + (mine ? " mine" : ""));
    wrap.dataset.id = m.message_id;
    const bubble = el("div", "bubble");
    const name = isBotMessage(m) ? (m.from.first_name + " (机器人)") : userName(m.from);
    bubble.appendChild(el("div", "sender" + (isBotMessage(m) ? "" : " user"), name));

    if (m.reply_to_message) {
      const q = el("div", "quote");
      q.appendChild(el("span", "qname", userName(m.reply_to_message.from)));
      q.appendChild(el("span", "qtext", shortText(m.reply_to_message)));
      bubble.appendChild(q);
    }
    if (m.photo && m.photo.length) {
      const img = el("img", "photo");
      img.alt = "图片";
      img.loading = "lazy";
      img.src = "/_standin/files/" + encodeURIComponent(m.photo[m.photo.length - 1].file_id);
      bubble.appendChild(img);
    }
    if (m.document) {
      const a = el("a", null, "📎 " + (m.document.file_name || "文件"));
      a.href = "/_standin/files/" + encodeURIComponent(m.document.file_id);
      a.download = m.document.file_name || "file";
      bubble.appendChild(a);
    }
    if (m.location) {
      bubble.appendChild(el("div", "location",
        "📍 位置 " + m.location.latitude.toFixed(5) + ", " + m.location.longitude.toFixed(5)));
    }
    if (m.contact) {
      const own = m.contact.user_id !== undefined && m.from && m.contact.user_id === m.from.id;
      bubble.appendChild(el("div", "contact", "📇 " + m.contact.first_name + " " + m.contact.phone_number
        + (own ? "（本人号码）" : "")));
    }
    if (m.text !== undefined || m.caption !== undefined) {
      const t = el("div", "text");
      t.appendChild(m.text !== undefined ? richText(m.text, m.entities) : richText(m.caption, m.caption_entities));
      bubble.appendChild(t);
    }
    const meta = el("div", "meta");
    const reply = el("span", "reply-link", "回复");
    reply.addEventListener("click", () => setReply(m));
    meta.appendChild(reply);
    if (m.edit_date) meta.appendChild(el("span", null, "已编辑"));
    meta.appendChild(el("span", null, timeOf(m)));
    bubble.appendChild(meta);
    wrap.appendChild(bubble);

    const kb = m.reply_markup && m.reply_markup.inline_keyboard;
    if (kb && kb.length) {
      const box = el("div", "keyboard");
      for (const row of kb) {
        const r = el("div", "row");
        for (const b of row) {
          if (b.url && safeUrl(b.url)) {
            const a = el("a", null, b.text);
            a.href = safeUrl(b.url);
            a.target = "_blank";
            a.rel = "noopener noreferrer";
            deepLink(a, a.href);
            r.appendChild(a);
          } else {
            const btn = el("button", null, b.text);
            btn.type = "button";
            if (b.callback_data === undefined) btn.disabled = true;
            else btn.addEventListener("click", () => press(m, b, btn));
            r.appendChild(btn);
          }
        }
        box.appendChild(r);
      }
      wrap.appendChild(box);
    }
    return wrap;
  }

  function showMessage(m, scroll) {
    const box = $("messages");
    const empty = box.querySelector(".empty");
    if (empty) empty.remove();
    state.messages.set(m.message_id, m);
    const node = renderMessage(m);
    const old = state.rendered.get(m.message_id);
    if (old) {
      old.replaceWith(node);
    } else {
      const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
      // keep message-id order even when live events and the loaded history interleave
      let before = null;
      for (let n = box.lastElementChild; n; n = n.previousElementSibling) {
        if (!n.dataset.id) continue;
        if (Number(n.dataset.id) > m.message_id) before = n; else break;
      }
      box.insertBefore(node, before);
      if (scroll || nearBottom) box.scrollTop = box.scrollHeight;
    }
    state.rendered.set(m.message_id, node);
  }

  function removeMessage(id) {
    const node = state.rendered.get(id);
    if (node) node.remove();
    state.rendered.delete(id);
    state.messages.delete(id);
  }

  function setReply(m) {
    state.replyTo = m;
    $("reply-text").textContent = userName(m.from) + "：" + shortText(m);
    $("reply-bar").hidden = false;
    $("text").focus();
  }
  function clearReply() {
    state.replyTo = null;
    $("reply-bar").hidden = true;
  }
  $("reply-cancel").addEventListener("click", clearReply);

  async function press(m, b, btn) {
    if (!state.actor) { toast("请先选择身份"); return; }
    btn.classList.add("pending");
    try {
      const r = await api("POST", "/callbacks", {
        user_id: state.actor, chat_id: state.current, message_id: m.message_id, data: b.callback_data,
      });
      const rec = await api("GET", "/callbacks/" + encodeURIComponent(r.callback_query_id), null, { wait: 15 });
      if (!rec.answered) toast("机器人没有响应这个按钮");
      else if (rec.answer.text && rec.answer.show_alert) alertBox(rec.answer.text);
      else if (rec.answer.text) toast(rec.answer.text);
    } catch (e) {
      toast("按钮失败：" + e.message);
    } finally {
      btn.classList.remove("pending");
    }
  }

  // -- chat list and actor -----------------------------------------------------------------
  function chatEntries() {
    const groups = [], privates = [];
    for (const c of state.chats.values()) (c.type === "private" ? privates : groups).push(c);
    const started = new Set(privates.map((c) => c.id));
    for (const u of state.users.values()) {
      if (!started.has(u.id)) privates.push({ id: u.id, type: "private", first_name: u.first_name, started: false, last_message: null, virtual: true });
    }
    return { groups, privates };
  }

  function renderChatList() {
    const list = $("chat-list");
    list.replaceChildren();
    const { groups, privates } = chatEntries();
    const section = (label) => list.appendChild(el("li", "section", label));
    const item = (c) => {
      const li = el("li", c.id === state.current ? "active" : "");
      const name = el("div", "name", c.type === "private" ? userName(state.users.get(c.id) || c) : c.title);
      name.appendChild(el("span", "kind", c.type === "private" ? (c.blocked ? "私聊 · 已屏蔽" : c.started === false ? "私聊 · 未开始" : "私聊") : "群聊"));
      li.appendChild(name);
      li.appendChild(el("div", "preview", c.last_message ? (c.last_message.from ? (c.last_message.from.is_bot ? "机器人" : c.last_message.from.first_name) + "：" : "") + shortText(c.last_message) : ""));
      const n = state.unread.get(c.id);
      if (n) li.appendChild(el("span", "badge", n));
      li.addEventListener("click", () => selectChat(c.id));
      list.appendChild(li);
    };
    section("群聊");
    groups.forEach(item);
    if (!groups.length) list.appendChild(el("li", "section", "（暂无群聊）"));
    section("与机器人的私聊");
    privates.forEach(item);
  }

  function eligible(userId) {
    const c = state.chats.get(state.current);
    if (state.current === null) return true;
    if (state.current > 0) return userId === state.current;
    return !c || !c.members || c.members.includes(userId);
  }

  function renderActors() {
    const sel = $("actor");
    sel.replaceChildren();
    for (const u of state.users.values()) {
      const opt = el("option", null, userName(u) + (u.username ? " @" + u.username : "") + (eligible(u.id) ? "" : "（不在此聊天）"));
      opt.value = String(u.id);
      opt.disabled = !eligible(u.id);
      sel.appendChild(opt);
    }
    if (state.actor !== null && !eligible(state.actor)) state.actor = null;
    if (state.actor === null) {
      const first = [...state.users.values()].find((u) => eligible(u.id));
      state.actor = first ? first.id : null;
    }
    if (state.actor !== null) sel.value = String(state.actor);
    const hint = $("actor-hint");
    hint.hidden = state.actor !== null || !state.users.size;
    hint.textContent = "没有可以在此聊天发言的居民";
    updateComposer();
  }
  $("actor").addEventListener("change", (ev) => {
    state.actor = Number(ev.target.value);
    rerenderMessages();
    renderReplyKeyboard();
  });

  function updateComposer() {
    const c = state.chats.get(state.current);
    const privateNotStarted = state.current !== null && state.current > 0 && (!c || c.started === false);
    $("start-bar").hidden = !privateNotStarted || !state.bot;
    const can = state.current !== null && state.actor !== null && !!state.bot;
    $("text").disabled = !can;
    $("send-btn").disabled = !can;
    $("photo-btn").disabled = !can;
    $("loc-btn").disabled = !can;
  }

  function rerenderMessages() {
    for (const m of state.messages.values()) showMessage(m, false);
  }

  async function selectChat(id) {
    state.current = id;
    state.unread.delete(id);
    clearReply();
    const c = state.chats.get(id);
    $("chat-title").textContent = c ? chatTitle(c) : chatTitle({ id, type: "private" });
    $("chat-sub").textContent = id > 0 ? "私聊（对话 id " + id + "）"
      : (c ? (c.type === "supergroup" ? "超级群" : "群") + " · " + (c.members || []).length + " 位成员 · id " + id : "");
    if (id > 0) state.actor = id;
    renderChatList();
    renderActors();
    renderReplyKeyboard();
    const box = $("messages");
    box.replaceChildren();
    state.rendered.clear();
    state.messages.clear();
    let msgs = [];
    if (c && !c.virtual) {
      try { msgs = await api("GET", "/chats/" + id + "/messages", null, { limit: 300 }); } catch (e) { toast(e.message); }
    }
    if (state.current !== id) return;
    if (!msgs.length) box.appendChild(el("div", "empty", id > 0 ? "还没有消息。点“开始对话”或直接发一条消息。" : "还没有消息。"));
    for (const m of msgs) showMessage(m, true);
    box.scrollTop = box.scrollHeight;
    $("text").focus();
  }

  // -- sending -----------------------------------------------------------------------------
  async function sendBody(extra) {
    if (state.current === null || state.actor === null) return;
    const body = Object.assign({ user_id: state.actor }, extra);
    if (state.replyTo) body.reply_to_message_id = state.replyTo.message_id;
    try {
      const r = await api("POST", "/chats/" + state.current + "/messages", body);
      clearReply();
      showMessage(r.message, true);
    } catch (e) {
      toast("发送失败：" + e.message);
    }
  }

  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ta = $("text");
    const text = ta.value.trim();
    if (!text) return;
    ta.value = "";
    await sendBody({ text });
  });
  $("text").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("photo-btn").addEventListener("click", () => $("photo-input").click());
  $("photo-input").addEventListener("change", () => {
    const file = $("photo-input").files[0];
    $("photo-input").value = "";
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      const caption = $("text").value.trim();
      $("text").value = "";
      sendBody({ photo: { data_b64: String(reader.result), filename: file.name, content_type: file.type }, caption: caption || undefined });
    };
    reader.readAsDataURL(file);
  });
  $("loc-btn").addEventListener("click", () => {
    const v = prompt("位置（纬度,经度）", "31.2304,121.4737");
    if (!v) return;
    const [lat, lon] = v.split(/[,，\s]+/).map(Number);
    if (!isFinite(lat) || !isFinite(lon)) { toast("格式：纬度,经度"); return; }
    sendBody({ location: { latitude: lat, longitude: lon } });
  });
  $("start-btn").addEventListener("click", async () => {
    if (state.current === null || state.current < 0) return;
    try {
      await api("POST", "/users/" + state.current + "/start", {});
      await refreshChats();
      await selectChat(state.current);
    } catch (e) { toast(e.message); }
  });
  $("add-user-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const first_name = $("new-name").value.trim();
    const username = $("new-username").value.trim() || undefined;
    if (!first_name) return;
    try {
      await api("POST", "/users", { first_name, username });
      $("new-name").value = "";
      $("new-username").value = "";
      toast("已添加 " + first_name);
    } catch (e) { toast(e.message); }
  });

  // -- loading and live events -------------------------------------------------------------
  async function refreshBot() {
    const bots = await api("GET", "/bots");
    const bot = BOT ? bots.find((b) => String(b.id) === BOT || b.username === BOT) : bots[0];
    state.bot = bot || null;
    $("bot-name").textContent = bot ? bot.first_name + " @" + bot.username : "等待机器人连接…";
  }
  async function refreshUsers() {
    const users = await api("GET", "/users");
    state.users = new Map(users.map((u) => [u.id, u]));
  }
  async function refreshChats() {
    const chats = await api("GET", "/chats");
    state.chats = new Map(chats.map((c) => [c.id, c]));
  }
  async function refreshAll() {
    await refreshBot();
    await refreshUsers();
    await refreshChats();
    renderChatList();
    renderActors();
    renderReplyKeyboard();
  }

  function eventChat(ev) {
    if (ev.chat_id === undefined) return null;
    if (ev.bot_id !== null && ev.bot_id !== undefined && state.bot && ev.bot_id !== state.bot.id) return null;
    return ev.chat_id;
  }

  let refreshPending = false;
  function scheduleRefresh() {
    if (refreshPending) return;
    refreshPending = true;
    setTimeout(async () => {
      refreshPending = false;
      try { await refreshAll(); } catch (e) { /* retried by the next event */ }
    }, 150);
  }

  function handleEvent(ev) {
    if (ev.type === "bot" || ev.type === "user" || ev.type === "chat") { scheduleRefresh(); return; }
    const chatId = eventChat(ev);
    if (chatId === null) return;
    const c = state.chats.get(chatId);
    if ((ev.type === "sent" || ev.type === "user_message") && ev.message) {
      if (c && ev.keyboard) {
        c.keyboard = ev.keyboard.keyboard ? ev.keyboard : (ev.keyboard.remove_keyboard ? null : c.keyboard);
        if (chatId === state.current) renderReplyKeyboard();
      }
      if (c) c.last_message = ev.message; else scheduleRefresh();
      if (chatId === state.current) showMessage(ev.message, false);
      else if (ev.type === "sent") state.unread.set(chatId, (state.unread.get(chatId) || 0) + 1);
      renderChatList();
    } else if (ev.type === "edited" && chatId === state.current) {
      showMessage(ev.message, false);
    } else if (ev.type === "deleted" && chatId === state.current) {
      removeMessage(ev.message_id);
    }
  }

  async function pollEvents() {
    for (;;) {
      try {
        const r = await api("GET", "/events", null, { after: state.cursor, wait: 25 });
        $("conn").className = "dot ok";
        $("conn").title = "已连接";
        state.cursor = r.cursor;
        for (const ev of r.events) handleEvent(ev);
      } catch (e) {
        $("conn").className = "dot bad";
        $("conn").title = "连接中断，正在重试";
        await sleep(2000);
      }
    }
  }

  async function main() {
    for (;;) {
      try {
        state.cursor = (await api("GET", "/health")).cursor;
        await refreshAll();
        break;
      } catch (e) {
        $("conn").className = "dot bad";
        await sleep(2000);
      }
    }
    const firstGroup = [...state.chats.values()].find((c) => c.type !== "private");
    if (firstGroup) await selectChat(firstGroup.id);
    pollEvents();
  }

  main();
})();
