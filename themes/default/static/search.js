/* answer-archive search page: lunr.js over the index the build wrote to search/.
 *
 * The pipeline function below is the twin of generator/search.py's `normalise_term`
 * (registered under the same label, so the serialised index's pipeline loads here);
 * tests run both over the same words and require identical output.
 */
(function () {
  "use strict";

  var APOSTROPHES = /[\u2018\u2019\u02bc`\u00b4]/g;
  var SPLIT = /[\/\u2010-\u2015\u2212\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/;
  var DIGIT_GROUP = /(\d),(?=\d{3}(?!\d))/g;
  var WORD_CHAR = "0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u1fff\u2070-\u209f\u2c00-\u2dff" +
    "\u3040-\ud7ff\ue000-\ufefe";
  var TRIM = new RegExp("^[^" + WORD_CHAR + "]+|[^" + WORD_CHAR + "]+$", "g");
  var POSSESSIVE = /'s$/;

  function normaliseTerm(term) {
    var text = term.replace(APOSTROPHES, "'").replace(DIGIT_GROUP, "$1");
    var parts = text.split(SPLIT), terms = [];
    for (var i = 0; i < parts.length; i++) {
      var word = parts[i].replace(TRIM, "").replace(POSSESSIVE, "").replace(TRIM, "");
      if (word) terms.push(word);
    }
    return terms;
  }

  function answersNormalise(token) {
    return normaliseTerm(token.toString()).map(function (word) {
      return token.clone(function () { return word; });
    });
  }

  if (typeof lunr === "undefined") return;
  lunr.Pipeline.registerFunction(answersNormalise, "answersNormalise");

  var DEBOUNCE_MS = 180;
  var FILTERS = ["department", "house", "year", "status"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var STATUS_BADGES = { holding: "Holding answer", corrected: "Corrected",
    withdrawn: "Withdrawn", unanswered: "Awaiting answer" };
  var highlightPipeline = new lunr.Pipeline();
  highlightPipeline.add(answersNormalise, lunr.stemmer);

  var root = document.getElementById("search");
  if (!root) return;
  // Shown to browsers that run no script; hidden again if the index cannot be loaded.
  var unavailable = document.getElementById("search-unavailable");
  unavailable.hidden = true;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("results");
  var more = document.getElementById("more-results");
  var selects = {};
  FILTERS.forEach(function (name) { selects[name] = document.getElementById("filter-" + name); });

  var index = null, docs = null, departments = [], byRef = Object.create(null);
  var current = [], shown = 0, matched = Object.create(null), timer = null, typing = false;

  function longDate(iso) {
    var p = iso.split("-");
    return Number(p[2]) + " " + MONTHS[Number(p[1]) - 1] + " " + p[0];
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: params.get("q") || "" };
    FILTERS.forEach(function (name) { state[name] = params.get(name) || ""; });
    return state;
  }

  function formState() {
    var state = { q: input.value };
    FILTERS.forEach(function (name) { state[name] = selects[name].value; });
    return state;
  }

  function applyState(state) {
    input.value = state.q;
    FILTERS.forEach(function (name) {
      var select = selects[name];
      select.value = state[name];
      if (select.value !== state[name]) select.value = "";  // an unknown value in the URL
    });
  }

  function stateUrl(state) {
    var params = new URLSearchParams();
    if (state.q.trim()) params.set("q", state.q.trim());
    FILTERS.forEach(function (name) { if (state[name]) params.set(name, state[name]); });
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function remember(push) {
    var url = stateUrl(formState());
    if (url === window.location.pathname + window.location.search) return;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }

  function passesFilters(doc, state) {
    return (!state.department || departments[doc.department][1] === state.department) &&
      (!state.house || doc.house === state.house) &&
      (!state.year || doc.answered_on.slice(0, 4) === state.year) &&
      (!state.status || doc.status === state.status);
  }

  function hasFilter(state) {
    return FILTERS.some(function (name) { return state[name]; });
  }

  function run() {
    if (!index) { status.textContent = "Loading the search index…"; return; }
    var state = formState(), query = state.q.trim(), hits;
    matched = Object.create(null);
    status.classList.remove("search-problem");
    if (query) {
      try {
        hits = index.search(query);
      } catch (error) {
        if (!(error instanceof lunr.QueryParseError)) throw error;
        showProblem(error.message);
        return;
      }
      current = [];
      hits.forEach(function (hit) {
        Object.keys(hit.matchData.metadata).forEach(function (term) { matched[term] = true; });
        var doc = byRef[hit.ref];
        if (doc && passesFilters(doc, state)) current.push(doc);
      });
    } else if (hasFilter(state)) {
      current = docs.filter(function (doc) { return passesFilters(doc, state); });
    } else {
      current = [];
      results.textContent = "";
      more.hidden = true;
      status.textContent = "Type words to search, or choose a filter to list questions.";
      return;
    }
    results.textContent = "";
    shown = 0;
    if (current.length) {
      var list = document.createElement("ol");
      list.className = "result-list";
      list.id = "result-list";
      results.appendChild(list);
    }
    showMore(false);
    status.textContent = summary(current.length, query, state);
  }

  function summary(count, query, state) {
    var text = count === 0 ? "No results" : count === 1 ? "1 result" : count + " results";
    if (query) text += " for “" + query + "”";
    if (hasFilter(state)) text += " (filtered)";
    if (count === 0) return text + ". Try fewer words, a word ending in *, or clearing the filters.";
    return count > shown ? text + "; showing " + shown + "." : text + ".";
  }

  function showProblem(message) {
    current = [];
    results.textContent = "";
    more.hidden = true;
    status.classList.add("search-problem");
    status.textContent = "That search could not be understood (" + message + "). Check for a " +
      "stray “:”, “~” or “^”, or a “+” or “-” with no word after it; the search tips below " +
      "the filters show what works.";
  }

  function showMore(moveFocus) {
    var list = document.getElementById("result-list");
    var pageSize = Number(root.dataset.pageSize) || 20;
    var end = Math.min(current.length, shown + pageSize), first = null;
    for (var i = shown; i < end; i++) {
      var item = renderResult(current[i]);
      list.appendChild(item);
      if (!first) first = item.querySelector("a");
    }
    shown = end;
    more.hidden = shown >= current.length;
    if (moveFocus && first) first.focus();
  }

  function renderResult(doc) {
    var item = document.createElement("li");
    item.className = "result";
    var heading = document.createElement("h2");
    heading.className = "result-title";
    var link = document.createElement("a");
    link.href = root.dataset.base + doc.url;
    link.textContent = doc.title;
    heading.appendChild(link);
    item.appendChild(heading);
    var meta = document.createElement("p");
    meta.className = "meta";
    var parts = [departments[doc.department][0]];
    var when = doc.answered_on ? "Answered " + longDate(doc.answered_on) : "Asked " + longDate(doc.asked_on);
    parts.push(when);
    if (doc.asked_by) parts.push("asked by " + doc.asked_by);
    if (doc.uin) parts.push("UIN " + doc.uin);
    meta.textContent = parts.join(" · ");
    if (STATUS_BADGES[doc.status]) {
      var badge = document.createElement("span");
      badge.className = "badge badge-" + doc.status;
      badge.textContent = STATUS_BADGES[doc.status];
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(badge);
    }
    item.appendChild(meta);
    var snippet = document.createElement("p");
    snippet.className = "snippet";
    fillSnippet(snippet, doc);
    item.appendChild(snippet);
    return item;
  }

  function isMatch(word) {
    return highlightPipeline.run([new lunr.Token(word.toLowerCase())]).some(function (token) {
      return matched[token.toString()];
    });
  }

  // Punctuation around a word stays outside its highlight ("2023." marks "2023").
  var PUNCTUATION = "[.,;:!?()\\[\\]{}\"'\u2018\u2019\u201c\u201d\u2026]+";
  var LEADING = new RegExp("^" + PUNCTUATION), TRAILING = new RegExp(PUNCTUATION + "$");

  function words(text) {
    var found = [], re = /[^\s\-]+/g, m;
    while ((m = re.exec(text))) {
      var trimmed = m[0].replace(LEADING, "");
      var start = m.index + m[0].length - trimmed.length, core = trimmed.replace(TRAILING, "");
      if (core) found.push({ start: start, end: start + core.length, hit: isMatch(core) });
    }
    return found;
  }

  function fillSnippet(element, doc) {
    var best = null;
    [doc.question, doc.answer].forEach(function (text) {
      if (!text) return;
      var list = words(text), hits = list.filter(function (w) { return w.hit; }).length;
      if (!best || hits > best.hits) best = { text: text, words: list, hits: hits };
    });
    if (!best) return;
    var text = best.text, list = best.words, start = 0, end = text.length;
    var firstHit = list.findIndex(function (w) { return w.hit; });
    if (text.length > 220) {
      if (firstHit > 8) start = list[firstHit - 8].start;
      end = Math.min(text.length, start + 220);
      var cut = text.lastIndexOf(" ", end);
      if (end < text.length && cut > start) end = cut;
    }
    if (start > 0) element.appendChild(document.createTextNode("…"));
    var at = start;
    list.forEach(function (w) {
      if (!w.hit || w.start < start || w.end > end) return;
      element.appendChild(document.createTextNode(text.slice(at, w.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(w.start, w.end);
      element.appendChild(mark);
      at = w.end;
    });
    element.appendChild(document.createTextNode(text.slice(at, end)));
    if (end < text.length && !/…$/.test(text.slice(0, end))) element.appendChild(document.createTextNode("…"));
  }

  function resultLinks() {
    return Array.prototype.slice.call(results.querySelectorAll(".result-title a"));
  }

  function onKeydown(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Escape") return;
    var links = resultLinks(), position = links.indexOf(document.activeElement);
    if (event.target === input) {
      if (event.key === "ArrowDown" && links.length) { event.preventDefault(); links[0].focus(); }
      return;
    }
    if (position === -1) return;
    event.preventDefault();
    if (event.key === "Escape") input.focus();
    else if (event.key === "ArrowDown") links[Math.min(position + 1, links.length - 1)].focus();
    else if (position === 0) input.focus();
    else links[position - 1].focus();
  }

  function load() {
    status.textContent = "Loading the search index…";
    return Promise.all([fetchJson(root.dataset.index), fetchJson(root.dataset.documents)])
      .then(function (loaded) {
        index = lunr.Index.load(loaded[0]);
        var store = loaded[1], columns = store.columns;
        departments = store.departments;
        docs = store.docs.map(function (row) {
          var doc = {};
          columns.forEach(function (name, i) { doc[name] = row[i]; });
          byRef[doc.ref] = doc;
          return doc;
        });
        root.classList.add("search-ready");
        run();
      })
      .catch(function (error) {
        status.textContent = "Search could not be loaded (" + error.message + "). " +
          "You can browse questions by department instead.";
        unavailable.hidden = false;
      });
  }

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      remember(!typing);
      typing = true;
      run();
    }, DEBOUNCE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    typing = false;
    remember(true);
    run();
  });
  FILTERS.forEach(function (name) {
    selects[name].addEventListener("change", function () {
      typing = false;
      remember(true);
      run();
    });
  });
  input.addEventListener("blur", function () { typing = false; });
  more.addEventListener("click", function () {
    showMore(true);
    status.textContent = summary(current.length, input.value.trim(), formState());
  });
  root.addEventListener("keydown", onKeydown);
  window.addEventListener("popstate", function () {
    window.clearTimeout(timer);
    typing = false;
    applyState(readState());
    run();
  });

  applyState(readState());
  load();
})();
