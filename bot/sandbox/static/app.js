// The sandbox chat page: draws each pretend user's chat with the bot and keeps it live from server events.
"use strict";

const ALLOWED_TAGS = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE",
  "BLOCKQUOTE", "A", "TG-SPOILER", "SPAN", "BR"]);
const AVATAR_COLOURS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];
// Times are shown in the browser's own zone, as a Telegram app shows them on the user's phone.
const TIME_FORMAT = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
const DAY_FORMAT = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long" });
const CLOCK_FORMAT = new Intl.DateTimeFormat("en-GB", {
  weekday: "short", day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  timeZoneName: "short",
});

// `clockOffset`: the sandbox clock minus this browser's clock, in ms; the label runs on from it.
const state = { users: [], languages: {}, commands: {}, chats: {}, unread: {}, current: null, clockOffset: 0 };
const $ = (id) => document.getElementById(id);

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// A /command in the bot's text is a link that sends it, as in Telegram.
function appendText(to, text, fromBot) {
  if (!fromBot) {
    to.append(text);
    return;
  }
  const parts = text.split(/((?<=^|\s)\/[a-z_]{2,32}\b)/);
  parts.forEach((part, index) => {
    if (index % 2 === 0) {
      to.append(part);
      return;
    }
    const link = document.createElement("a");
    link.className = "command-link";
    link.href = "#";
    link.textContent = part;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      send(part);
    });
    to.append(link);
  });
}

// Telegram HTML from the bot, rebuilt from allowed tags only: anything else becomes its plain text.
function formatted(html) {
  const source = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  const target = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        appendText(to, node.textContent, to.tagName !== "A" && to.tagName !== "CODE" && to.tagName !== "PRE");
      } else if (node.nodeType === Node.ELEMENT_NODE && ALLOWED_TAGS.has(node.tagName)) {
        const element = document.createElement(node.tagName === "TG-SPOILER" ? "span" : node.tagName);
        if (node.tagName === "TG-SPOILER" || node.classList.contains("tg-spoiler")) element.className = "tg-spoiler";
        if (node.tagName === "A" && /^(https?:|tg:)/.test(node.getAttribute("href") || "")) {
          element.href = node.getAttribute("href");
          element.target = "_blank";
          element.rel = "noopener";
        }
        copy(node, element);
        to.append(element);
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        copy(node, to);
      }
    }
  };
  copy(source, target);
  return target;
}

function messageElement(message) {
  const wrapper = document.createElement("div");
  wrapper.className = `message ${message.from_bot ? "from-bot" : "from-me"}`;
  wrapper.dataset.messageId = message.message_id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.media) {
    bubble.classList.add("has-media");
    const image = document.createElement("img");
    image.className = `media ${message.media.kind}`;
    image.src = message.media.url;
    image.alt = message.media.kind;
    // The picture's height is known only once it loads; keep the newest message in view.
    image.addEventListener("load", () => {
      const box = $("messages");
      box.scrollTop = box.scrollHeight;
    });
    bubble.append(image);
  }
  if (message.text) {
    const text = document.createElement("div");
    text.className = "text";
    if (message.html) text.append(formatted(message.text));
    else appendText(text, message.text, message.from_bot);
    bubble.append(text);
  }
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = `${message.edited ? "edited " : ""}${TIME_FORMAT.format(new Date(message.date * 1000))}`;
  (bubble.lastElementChild && bubble.lastElementChild.classList.contains("text") ? bubble.lastElementChild : bubble)
    .append(meta);
  wrapper.append(bubble);
  if (message.keyboard.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    for (const row of message.keyboard) {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        let control;
        if (button.url) {
          control = document.createElement("a");
          control.href = button.url;
          control.target = "_blank";
          control.rel = "noopener";
        } else {
          control = document.createElement("button");
          control.type = "button";
          control.addEventListener("click", () => press(message.message_id, button.data));
        }
        control.textContent = button.text;
        line.append(control);
      }
      keyboard.append(line);
    }
    wrapper.append(keyboard);
  }
  return wrapper;
}

// A date line above the first message of each day, as Telegram draws one; clock pushes make days fly by.
function appendMessage(box, message) {
  const day = DAY_FORMAT.format(new Date(message.date * 1000));
  const previous = [...box.querySelectorAll(".message")].pop();
  if (!previous || previous.dataset.day !== day) {
    const line = document.createElement("div");
    line.className = "day";
    line.textContent = day;
    box.append(line);
  }
  const element = messageElement(message);
  element.dataset.day = day;
  box.append(element);
}

function renderChat() {
  const box = $("messages");
  box.replaceChildren();
  const messages = state.chats[state.current] || [];
  if (!messages.length) {
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = "Tap START to talk to the bot.";
    box.append(empty);
  }
  for (const message of messages) appendMessage(box, message);
  $("start").hidden = messages.length > 0;
  $("compose").hidden = messages.length === 0;
  box.scrollTop = box.scrollHeight;
}

function renderUsers() {
  const list = $("users");
  list.replaceChildren();
  state.users.forEach((user, index) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.userId = user.id;
    button.className = user.id === state.current ? "current" : "";
    const avatar = document.createElement("span");
    avatar.className = "user-avatar";
    avatar.style.background = AVATAR_COLOURS[index % AVATAR_COLOURS.length];
    avatar.textContent = user.first_name[0];
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = user.admin ? `${user.first_name} (admin)` : user.first_name;
    button.append(avatar, who);
    const unread = state.unread[user.id] || 0;
    if (unread) {
      const badge = document.createElement("span");
      badge.className = "badge unread";
      badge.textContent = unread;
      button.append(badge);
    }
    button.addEventListener("click", () => switchTo(user.id));
    item.append(button);
    list.append(item);
  });
  const me = state.users.find((user) => user.id === state.current);
  $("viewer").textContent = me ? `chatting as ${me.first_name} (id ${me.id})` : "";
  renderLanguage(me);
}

// The pretend user's Telegram app language: Telegram sends it with each update as `language_code`.
function renderLanguage(me) {
  const picker = $("language");
  picker.replaceChildren();
  for (const [code, name] of Object.entries(state.languages)) {
    const option = document.createElement("option");
    option.value = code;
    option.textContent = name;
    option.selected = me !== undefined && me.language === code;
    picker.append(option);
  }
}

async function changeLanguage(language) {
  const userId = state.current;
  try {
    const answer = await post("/sandbox/language", { user_id: userId, language });
    const me = state.users.find((user) => user.id === userId);
    if (me) me.language = answer.language;
    state.commands[userId] = answer.commands;
  } catch (error) {
    toast(error.message);
  }
}

function switchTo(userId) {
  state.current = userId;
  state.unread[userId] = 0;
  $("command-menu").hidden = true;
  showSidebar(false);
  renderUsers();
  renderChat();
  $("text").focus();
}

// On a narrow screen the sidebar is a drawer behind the ☰ button; on a wide one it is always shown.
function showSidebar(open) {
  document.body.classList.toggle("sidebar-open", open);
  $("sidebar-button").setAttribute("aria-expanded", String(open));
}

function upsert(chatId, message) {
  const messages = (state.chats[chatId] = state.chats[chatId] || []);
  const index = messages.findIndex((known) => known.message_id === message.message_id);
  if (index >= 0) messages[index] = message;
  else messages.push(message);
  return index < 0;
}

function onEvent(event) {
  if (event.event === "clock") {
    showClock(event.now);
    return;
  }
  if (event.event === "answer") {
    if (event.chat_id === state.current && event.message.text) toast(event.message.text, event.message.show_alert);
    return;
  }
  if (event.message.date) catchUpClock(event.message.date * 1000);
  const chatId = event.chat_id;
  const box = $("messages");
  const onScreen = chatId === state.current;
  if (event.event === "delete") {
    state.chats[chatId] = (state.chats[chatId] || []).filter((m) => m.message_id !== event.message.message_id);
    if (onScreen) box.querySelector(`[data-message-id="${event.message.message_id}"]`)?.remove();
    return;
  }
  const added = upsert(chatId, event.message);
  if (!onScreen) {
    if (added && event.message.from_bot) {
      state.unread[chatId] = (state.unread[chatId] || 0) + 1;
      renderUsers();
    }
    return;
  }
  const existing = box.querySelector(`[data-message-id="${event.message.message_id}"]`);
  if (existing) {
    const replacement = messageElement(event.message);
    replacement.dataset.day = existing.dataset.day;
    existing.replaceWith(replacement);
  } else if (box.querySelector(".empty")) {
    renderChat();
  } else {
    appendMessage(box, event.message);
    box.scrollTop = box.scrollHeight;
  }
}

let toastTimer = null;
function toast(text, alert = false) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "toast alert" : "toast";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 4000 : 2000);
}

// The sandbox clock runs with real time between pushes, so the label ticks on by itself; a message
// stamped later than the label shows (the server's clock moved on) brings the label up to it.
function showClock(iso) {
  state.clockOffset = Date.parse(iso) - Date.now();
  drawClock();
}

function catchUpClock(stampMs) {
  if (stampMs > Date.now() + state.clockOffset) {
    state.clockOffset = stampMs - Date.now();
    drawClock();
  }
}

function drawClock() {
  $("clock").textContent = CLOCK_FORMAT.format(new Date(Date.now() + state.clockOffset));
}

async function send(text) {
  try {
    await post("/sandbox/send", { user_id: state.current, text });
  } catch (error) {
    toast(error.message);
  }
}

async function press(messageId, data) {
  try {
    await post("/sandbox/press", { user_id: state.current, message_id: messageId, data });
  } catch (error) {
    toast(error.message);
  }
}

async function moveClock(action) {
  const buttons = document.querySelectorAll("[data-clock]");
  buttons.forEach((button) => { button.disabled = true; });
  try {
    const moved = await post("/sandbox/clock", { user_id: state.current, action });
    showClock(moved.now);
    $("clock-note").textContent = moved.note || "";
  } catch (error) {
    $("clock-note").textContent = error.message;
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

function showCommands(filter) {
  const menu = $("command-menu");
  menu.replaceChildren();
  const mine = state.commands[state.current] || [];
  const matching = mine.filter((c) => `/${c.command}`.startsWith(filter || "/"));
  for (const command of matching) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "command";
    name.textContent = `/${command.command}`;
    const about = document.createElement("span");
    about.className = "about";
    about.textContent = command.description;
    item.append(name, about);
    item.addEventListener("click", () => {
      menu.hidden = true;
      $("text").value = "";
      send(`/${command.command}`);
    });
    menu.append(item);
  }
  menu.hidden = matching.length === 0;
}

async function refresh() {
  const response = await fetch("/sandbox/state");
  const snapshot = await response.json();
  state.users = snapshot.users;
  state.languages = snapshot.languages;
  state.commands = snapshot.commands;
  state.chats = snapshot.chats;
  $("bot-name").textContent = snapshot.bot.first_name;
  showClock(snapshot.clock);
  if (state.current === null) state.current = state.users[0].id;
  renderUsers();
  renderChat();
}

// Events that arrive while a snapshot loads are applied on top of it, so none is lost in between.
let pending = null;

async function catchUp() {
  pending = [];
  try {
    await refresh();
  } finally {
    const missed = pending;
    pending = null;
    missed.forEach(onEvent);
  }
}

function listen() {
  const events = new EventSource("/sandbox/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (pending) pending.push(event);
    else onEvent(event);
  };
  // On the first connection and after a dropped one, load everything the server has.
  events.onopen = () => { catchUp(); };
}

document.addEventListener("DOMContentLoaded", () => {
  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    $("command-menu").hidden = true;
    send(text);
  });
  $("text").addEventListener("input", (event) => {
    const value = event.target.value;
    if (value.startsWith("/") && !value.includes(" ")) showCommands(value);
    else $("command-menu").hidden = true;
  });
  $("menu-button").addEventListener("click", async () => {
    if (!$("command-menu").hidden) {
      $("command-menu").hidden = true;
      return;
    }
    // The menu is the one this user's chat has: a coach's own scope, or everyone's.
    const response = await fetch(`/sandbox/commands?user_id=${state.current}`);
    if (response.ok) state.commands[state.current] = await response.json();
    showCommands("/");
  });
  $("start").addEventListener("click", () => send("/start"));
  $("language").addEventListener("change", (event) => changeLanguage(event.target.value));
  $("sidebar-button").addEventListener("click", () => {
    showSidebar(!document.body.classList.contains("sidebar-open"));
  });
  $("sidebar-close").addEventListener("click", () => showSidebar(false));
  $("backdrop").addEventListener("click", () => showSidebar(false));
  setInterval(drawClock, 1000);
  document.querySelectorAll("[data-clock]").forEach((button) => {
    button.addEventListener("click", () => moveClock(button.dataset.clock));
  });
  listen();
});
