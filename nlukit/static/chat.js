// The nlukit web chat: posts each message to /chat with a per-tab session id
// (sessionStorage) and shows the reply, the bot state and the parsed intent/slots.
(function () {
  "use strict";
  var KEY = "nlukit.session_id";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var send = document.getElementById("send");
  var errorBox = document.getElementById("error");

  function newSessionId() {
    // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function sessionId() {
    var sid = window.sessionStorage.getItem(KEY);
    if (!sid) {
      sid = newSessionId();
      window.sessionStorage.setItem(KEY, sid);
    }
    document.getElementById("session").textContent = sid;
    return sid;
  }

  function addMessage(who, text, state) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    if (state) { div.setAttribute("data-state", state); }
    div.textContent = text;  // never innerHTML: replies may echo user text
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  // a confirmation question gets its two answers as buttons, a question whose slot lists its
  // values gets those (they send the text as typed)
  var QUICK = { confirm: ["네", "아니요"] };

  function clearQuick() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick"), function (q) {
      q.parentNode.removeChild(q);
    });
  }

  function addQuick(labels) {
    var box = document.createElement("div");
    box.className = "quick";
    labels.forEach(function (label) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", function () {
        if (send.disabled) { return; }
        input.value = label;
        submit();
      });
      box.appendChild(b);
    });
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  var STATES = { complete: "완료", ask_slot: "슬롯 질문", confirm: "확인 질문", fallback: "이해 못함",
                 cancelled: "취소됨" };

  function showTurn(turn) {
    document.getElementById("state").textContent =
      turn.state ? (STATES[turn.state] || turn.state) + " (" + turn.state + ")" : "-";
    var intent = "-";
    var parsed = turn.parse && turn.parse.intent;
    if (turn.intent) {
      intent = turn.intent;
      if (parsed && parsed.name === turn.intent) {
        intent += " (" + Number(parsed.confidence).toFixed(2) + ")";
      }
    } else if (parsed) {
      intent = parsed.name + " (" + Number(parsed.confidence).toFixed(2) + ")";
    }
    document.getElementById("intent").textContent = intent;
    var body = document.querySelector("#slots tbody");
    body.textContent = "";
    var slots = turn.slots || {};
    var resolved = turn.resolved || {};
    Object.keys(slots).forEach(function (name) {
      var tr = document.createElement("tr");
      var k = document.createElement("td");
      var v = document.createElement("td");
      k.textContent = name;
      v.textContent = slots[name] === null || slots[name] === undefined ? "" : String(slots[name]);
      // what a time or date slot means, for the user's day: 내일 → 2026-11-23
      if (resolved[name] && resolved[name].value) { v.textContent += " → " + resolved[name].value; }
      tr.appendChild(k);
      tr.appendChild(v);
      body.appendChild(tr);
    });
    var missing = turn.missing || [];
    document.getElementById("missing").textContent = missing.length ? missing.join(", ") : "-";
  }

  // the user's own date, so that 내일 means tomorrow where the user is, not on the server
  function localDate() {
    var d = new Date();
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function post(text) {
    return fetch("/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: sessionId(), text: text, today: localDate() })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var e = data && data.error;
          throw new Error(e ? e.message + " [" + e.code + "]" : "HTTP " + resp.status);
        }
        return data;
      });
    });
  }

  function submit() {
    var text = input.value.trim();
    if (!text || send.disabled) { return; }
    input.value = "";
    clearQuick();
    addMessage("user", text);
    showError("");
    send.disabled = true;
    post(text).then(function (turn) {
      addMessage("bot", turn.reply, turn.state);
      var quick = QUICK[turn.state] || turn.choices || [];
      if (quick.length) { addQuick(quick); }
      showTurn(turn);
    }).catch(function (err) {
      showError("오류: " + err.message);
    }).then(function () {
      send.disabled = false;
      input.focus();
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    submit();
  });
  // Enter while a Hangul syllable is still being composed must not send half a word.
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.isComposing || ev.keyCode === 229)) {
      ev.preventDefault();
    }
  });

  document.getElementById("reset").addEventListener("click", function () {
    var old = window.sessionStorage.getItem(KEY);
    window.sessionStorage.removeItem(KEY);
    log.textContent = "";  // the answer buttons too
    showTurn({});
    showError("");
    sessionId();
    if (old) {
      fetch("/chat/" + encodeURIComponent(old), { method: "DELETE" }).catch(function () {});
    }
    input.focus();
  });

  sessionId();
})();
