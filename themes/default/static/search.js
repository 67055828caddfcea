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

  /* The term-chunked index (generator/search_chunks.py). A query is parsed with lunr's own
   * parser; each clause's terms are expanded against the term list (a superset: exact terms,
   * prefixes, wildcard patterns, fuzzy neighbours); only the chunks holding those terms are
   * fetched; lunr's BM25 field vector entries for just those terms are rebuilt from the
   * stored term frequencies and field lengths; and a lunr.Index over them scores the query.
   * lunr only ever reads the entries of the query's expanded terms, so the results are those
   * of one index over everything. Documents are keyed by number; lunr sees the ref "d<key>". */
  function ChunkedIndex(base, manifest) {
    this.base = base;
    this.count = manifest.count;
    this.fields = manifest.fields.map(function (f) { return f[0]; });
    this.boosts = manifest.fields.map(function (f) { return f[1]; });
    var count = manifest.count;
    this.averages = manifest.lengths.map(function (total) { return total / count; });
    this.k1 = manifest.k1;
    this.b = manifest.b;
    this.pipeline = lunr.Pipeline.load(manifest.pipeline);
    this.starts = manifest.chunks.map(function (c) { return c[0]; });
    this.names = manifest.chunks.map(function (c) { return c[1]; });
    this.termsName = manifest.terms;
    this.facetsName = manifest.facets;
    this.shardSize = manifest.shardSize;
    this.shardBuckets = manifest.shardBuckets;
    this.shardMapName = manifest.shardMap;
    this.layout = null;        // promise of each key's shard and row (loadLayout)
    this.columns = manifest.columns;
    this.departments = manifest.departments;
    this.chunks = [];          // chunk number -> promise of {term: posting data}
    this.postings = new Map(); // term -> computed vector entries (see termEntries)
    this.assembled = new Map();  // sorted term list -> lunr.Index
    this.termList = null;
    this.facets = null;
    this.shards = Object.create(null);  // file name -> promise of its rows
  }

  ChunkedIndex.prototype.fetchJson = function (name) {
    return fetchJson(this.base + name);
  };

  /* The chunk that would hold a term: the last whose first term is not after it. */
  ChunkedIndex.prototype.chunkFor = function (term) {
    var low = 0, high = this.starts.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (this.starts[mid] <= term) { found = mid; low = mid + 1; } else high = mid - 1;
    }
    return found;
  };

  ChunkedIndex.prototype.chunk = function (number) {
    if (!this.chunks[number]) {
      this.chunks[number] = this.fetchJson(this.names[number]).then(function (data) {
        var byTerm = new Map();
        data.terms.forEach(function (term, i) { byTerm.set(term, data.postings[i]); });
        return byTerm;
      });
    }
    return this.chunks[number];
  };

  ChunkedIndex.prototype.allTerms = function () {
    if (!this.termList) this.termList = this.fetchJson(this.termsName);
    return this.termList;
  };

  /* lunr's field vector entries of one term: per field, the keys of its documents (newest
   * first, lunr.py's insertion order) and their BM25 scores, computed exactly as lunr's
   * Builder does, in typed arrays (a common term has tens of thousands). */
  ChunkedIndex.prototype.termEntries = function (term, encoded) {
    var cached = this.postings.get(term);
    if (cached) return cached;
    var documents = 0, i;
    for (i = 0; i < encoded.length; i++) documents += encoded[i][1].length;
    var x = (this.count - documents + 0.5) / (documents + 0.5);
    var idf = Math.log(1 + Math.abs(x)), k1 = this.k1, b = this.b;
    var entries = encoded.map(function (field) {
      var f = field[0], steps = field[1], tfs = field[2], lengths = field[3];
      var keys = new Int32Array(steps.length), scores = new Float64Array(steps.length);
      var average = this.averages[f], boost = this.boosts[f], key = 0;
      for (var j = 0; j < steps.length; j++) {
        key = j === 0 ? steps[0] : key - steps[j];
        keys[j] = key;
        var tf = tfs[j];
        var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[j] / average)) + tf);
        score *= boost;
        scores[j] = Math.round(score * 1000) / 1000;
      }
      return { field: this.fields[f], number: f, keys: keys, scores: scores };
    }, this);
    this.postings.set(term, entries);
    return entries;
  };

  /* The index terms each query term may expand to: a superset of lunr's own expansion
   * (lunr.Index#query intersects again, so extra candidates change nothing). */
  ChunkedIndex.prototype.candidates = function (query) {
    var self = this, exact = [], patterns = [];
    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline
        ? self.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        if ("editDistance" in clause && clause.editDistance > 0) {
          patterns.push({ fuzzy: term, distance: clause.editDistance });
        } else if (term.indexOf("*") === -1) {
          exact.push(term);
        } else {
          patterns.push({ wildcard: term });
        }
      });
    });
    var chunkTerms = exact.map(function (term) {
      var number = self.chunkFor(term);
      return number < 0 ? Promise.resolve([]) : self.chunk(number).then(function (byTerm) {
        return byTerm.has(term) ? [term] : [];
      });
    });
    return Promise.all(chunkTerms.concat(patterns.map(function (p) { return self.expand(p); })))
      .then(function (lists) { return [].concat.apply([], lists); });
  };

  ChunkedIndex.prototype.expand = function (pattern) {
    var self = this;
    if (pattern.wildcard) {
      var body = pattern.wildcard, star = body.indexOf("*");
      var regex = new RegExp("^" + body.split("*").map(escapeRegExp).join(".*") + "$");
      var prefix = body.slice(0, star);
      var first = Math.max(0, this.chunkFor(prefix)), last = this.chunkFor(prefix + "\uffff");
      if (prefix && last - first < 4) {
        var numbers = [];
        for (var n = first; n <= last; n++) numbers.push(n);
        return Promise.all(numbers.map(function (n) { return self.chunk(n); }))
          .then(function (chunks) {
            var found = [];
            chunks.forEach(function (byTerm) {
              byTerm.forEach(function (_, term) { if (regex.test(term)) found.push(term); });
            });
            return found;
          });
      }
      return this.allTerms().then(function (terms) {
        return terms.filter(function (term) { return regex.test(term); });
      });
    }
    return this.allTerms().then(function (terms) {
      // A "*" inside a fuzzy word matches any letter in lunr: let lunr sort out every term.
      if (pattern.fuzzy.indexOf("*") !== -1) return terms;
      return terms.filter(function (term) {
        return withinEdits(pattern.fuzzy, term, pattern.distance);
      });
    });
  };

  /* Fetch the chunks of the given terms and build the lunr.Index over just them. */
  ChunkedIndex.prototype.indexFor = function (terms, negated) {
    var self = this;
    var sorted = Array.from(new Set(terms)).sort();
    var cacheKey = (negated ? "-" : "+") + sorted.join("\u0000");
    if (this.assembled.has(cacheKey)) return Promise.resolve(this.assembled.get(cacheKey));
    return Promise.all(sorted.map(function (term) {
      return self.chunk(self.chunkFor(term)).then(function (byTerm) {
        return self.termEntries(term, byTerm.get(term));
      });
    })).then(function (allEntries) {
      var index = self.assemble(sorted, allEntries, negated);
      self.assembled.set(cacheKey, index);
      return index;
    });
  };

  ChunkedIndex.prototype.assemble = function (terms, allEntries, negated) {
    var invertedIndex = Object.create(null), vectors = Object.create(null);
    var fields = this.fields, empty = {};
    if (negated) {
      // lunr lists every document for a query of only "-term"s, in its field vectors'
      // order: newest first.
      for (var key = this.count - 1; key >= 0; key--) vectors[fields[0] + "/d" + key] = [];
    }
    terms.forEach(function (term, i) {
      var posting = { _index: i };
      fields.forEach(function (field) { posting[field] = Object.create(null); });
      allEntries[i].forEach(function (entry) {
        var fieldPosting = posting[entry.field], keys = entry.keys, scores = entry.scores;
        for (var j = 0; j < keys.length; j++) {
          var ref = "d" + keys[j];
          fieldPosting[ref] = empty;
          if (negated) continue;
          var fieldRef = entry.field + "/" + ref;
          var elements = vectors[fieldRef] || (vectors[fieldRef] = []);
          elements.push(i, scores[j]);
        }
      });
      invertedIndex[term] = posting;
    });
    var fieldVectors = Object.create(null);
    Object.keys(vectors).forEach(function (ref) {
      fieldVectors[ref] = new lunr.Vector(vectors[ref]);
    });
    return new lunr.Index({
      invertedIndex: invertedIndex,
      fieldVectors: fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(terms),
      fields: fields,
      pipeline: this.pipeline
    });
  };

  /* The results of a query string, best first in lunr's order (ties included), as a list
   * of document keys: {length, slice(start, end)}, with scoreOf(key), termsOf(key) (the
   * index terms a result matched) and terms (every term that matched some result, for
   * highlighting).
   * Throws lunr.QueryParseError (synchronously) for a query lunr cannot read. Queries of
   * words (with fields, boosts, + and -) are scored by score(); wildcard and fuzzy ones,
   * or any query when `viaLunr` is set (tests compare the two), by a lunr.Index. */
  ChunkedIndex.prototype.search = function (text, viaLunr) {
    var self = this, query = new lunr.Query(this.fields);
    new lunr.QueryParser(text, query).parse();
    var found = this.candidates(query);
    if (!viaLunr && query.clauses.every(wordClause)) {
      var scored = found.then(function (terms) {
        return self.entriesFor(terms);
      }).then(function (entries) {
        return self.score(query, entries);
      });
      return scored.then(function (results) {
        return results || self.searchLunr(text, query, found);
      });
    }
    return this.searchLunr(text, query, found);
  };

  ChunkedIndex.prototype.searchLunr = function (text, query, found) {
    var self = this;
    return found.then(function (terms) {
      return self.indexFor(terms, query.isNegated());
    }).then(function (index) {
      var hits = index.search(text), matched = Object.create(null);
      hits.forEach(function (hit) {
        Object.keys(hit.matchData.metadata).forEach(function (term) { matched[term] = true; });
      });
      var keys = [], byKey = new Map();
      hits.forEach(function (hit) {
        keys.push(Number(hit.ref.slice(1)));
        byKey.set(keys[keys.length - 1], hit);
      });
      return {
        length: keys.length,
        slice: function (start, end) { return keys.slice(start, end); },
        scoreOf: function (key) { return byKey.get(key).score; },
        terms: Object.keys(matched),
        termsOf: function (key) { return Object.keys(byKey.get(key).matchData.metadata); }
      };
    });
  };

  /* A clause of one word (no wildcard or fuzzy match), which score() answers. */
  function wordClause(clause) {
    return !clause.editDistance && clause.wildcard === lunr.Query.wildcard.NONE &&
      clause.term.indexOf("*") === -1;
  }

  /* Each term's vector entries (termEntries), by term. */
  ChunkedIndex.prototype.entriesFor = function (terms) {
    var self = this, sorted = Array.from(new Set(terms));
    return Promise.all(sorted.map(function (term) {
      return self.chunk(self.chunkFor(term)).then(function (byTerm) {
        return self.termEntries(term, byTerm.get(term));
      });
    })).then(function (all) {
      var byTerm = new Map();
      sorted.forEach(function (term, i) { byTerm.set(term, all[i]); });
      return byTerm;
    });
  };

  /* Sets of document keys with lunr.Set's meaning: COMPLETE holds every document; any
   * other set is a Uint8Array by key. */
  var COMPLETE = null;

  function intersect(a, b) {
    if (a === COMPLETE) return b;
    if (b === COMPLETE) return a;
    var both = new Uint8Array(a.length);
    for (var i = 0; i < a.length; i++) both[i] = a[i] & b[i];
    return both;
  }

  function union(a, b) {
    if (a === COMPLETE || b === COMPLETE) return COMPLETE;
    for (var i = 0; i < b.length; i++) a[i] |= b[i];
    return a;
  }

  function addKeys(set, keys) {
    for (var i = 0; i < keys.length; i++) set[keys[i]] = 1;
  }

  /* Where a key is in a term's keys (newest first, so decreasing), or -1. */
  function position(keys, key) {
    var low = 0, high = keys.length - 1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (keys[mid] === key) return mid;
      if (keys[mid] > key) low = mid + 1; else high = mid - 1;
    }
    return -1;
  }

  /* lunr.Index#query for a query of words, without building a lunr.Index: the same steps
   * in the same order over the same numbers, so the same scores to the last bit and the
   * same order of ties, with lunr's per-match objects (FieldRef, MatchData, string-keyed
   * vectors and sets) replaced by typed arrays indexed by document key:
   * - the term positions are those lunr gives the sorted terms; query vectors are
   *   lunr.Vectors, built by the same upserts;
   * - required (+) and prohibited (-) documents are collected per field as lunr.Index#query
   *   does, then combined over the fields;
   * - a (field, document) pair is numbered when lunr first meets it (its matchingFields
   *   order); its dot product adds the products of its terms in increasing term position,
   *   as lunr.Vector#dot does; a document's score adds its fields' scores in the order of
   *   their pairs, as lunr does, and results are sorted by score, ties in that order.
   * Returns null for what lunr itself fails on (a required clause with no word), left to
   * lunr. */
  ChunkedIndex.prototype.score = function (query, entries) {
    var fields = this.fields, count = this.count, pipeline = this.pipeline;
    var REQUIRED = lunr.Query.presence.REQUIRED, PROHIBITED = lunr.Query.presence.PROHIBITED;
    var positions = new Map();
    Array.from(entries.keys()).sort().forEach(function (term, i) { positions.set(term, i); });
    var queryVectors = fields.map(function () { return new lunr.Vector(); });
    var fieldNumber = new Map(fields.map(function (name, i) { return [name, i]; }));
    var required = [], prohibited = [], seen = new Set(), scanned = [], byPosition = [];
    var pairOf = new Int32Array(fields.length * count), pairs = [], unsupported = false;
    query.clauses.forEach(function (clause) {
      var words = clause.usePipeline
        ? pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      var presence = clause.presence, clauseMatches = new Uint8Array(0);
      if (presence === REQUIRED && !words.length) unsupported = true;
      for (var m = 0; m < words.length; m++) {
        var word = words[m];
        if (!positions.has(word)) {
          if (presence !== REQUIRED) continue;
          clause.fields.forEach(function (name) {
            required[fieldNumber.get(name)] = new Uint8Array(count);
          });
          break;
        }
        var at = positions.get(word), perField = byPosition[at] || (byPosition[at] = []);
        entries.get(word).forEach(function (entry) { perField[entry.number] = entry; });
        clause.fields.forEach(function (name) {
          var f = fieldNumber.get(name), entry = perField[f];
          if (presence === REQUIRED) {
            if (clauseMatches.length === 0) clauseMatches = new Uint8Array(count);
            if (entry) addKeys(clauseMatches, entry.keys);
            if (required[f] === undefined) required[f] = COMPLETE;
          }
          if (presence === PROHIBITED) {
            if (prohibited[f] === undefined) prohibited[f] = new Uint8Array(count);
            if (entry) addKeys(prohibited[f], entry.keys);
            return;
          }
          queryVectors[f].upsert(at, clause.boost, function (a, b) { return a + b; });
          if (seen.has(word + "/" + name)) return;
          seen.add(word + "/" + name);
          if (!entry) return;
          scanned.push({ term: word, keys: entry.keys });
          var keys = entry.keys, base = f * count;
          for (var j = 0; j < keys.length; j++) {
            if (pairOf[base + keys[j]] === 0) pairOf[base + keys[j]] = pairs.push(base + keys[j]);
          }
        });
      }
      if (presence === REQUIRED) {
        if (clauseMatches.length === 0) clauseMatches = new Uint8Array(count);
        clause.fields.forEach(function (name) {
          var f = fieldNumber.get(name);
          if (required[f] !== undefined) required[f] = intersect(required[f], clauseMatches);
        });
      }
    });
    if (unsupported) return null;
    var allRequired = COMPLETE, allProhibited = new Uint8Array(count);
    for (var f = 0; f < fields.length; f++) {
      if (required[f] !== undefined) allRequired = intersect(allRequired, required[f]);
      if (prohibited[f] !== undefined) allProhibited = union(allProhibited, prohibited[f]);
    }
    function kept(key) {
      return (allRequired === COMPLETE || allRequired[key] === 1) && allProhibited[key] === 0;
    }
    var order = [];
    if (query.isNegated()) {
      // lunr lists every document for a query of only "-word"s, newest first, scored 0.
      for (var key = count - 1; key >= 0; key--) if (kept(key)) order.push(key);
      return this.results(order, new Float64Array(count), [], kept);
    }
    var dots = new Float64Array(pairs.length);
    queryVectors.forEach(function (vector, f) {
      var elements = vector.elements, base = f * count;
      for (var i = 0; i < elements.length; i += 2) {
        var entry = byPosition[elements[i]] && byPosition[elements[i]][f];
        if (!entry) continue;
        var weight = elements[i + 1], keys = entry.keys, scores = entry.scores;
        for (var j = 0; j < keys.length; j++) dots[pairOf[base + keys[j]] - 1] += weight * scores[j];
      }
    });
    var magnitudes = queryVectors.map(function (vector) { return vector.magnitude(); });
    var totals = new Float64Array(count), found = new Uint8Array(count);
    for (var p = 0; p < pairs.length; p++) {
      var field = (pairs[p] / count) | 0, doc = pairs[p] - field * count;
      if (!kept(doc)) continue;
      var score = dots[p] / magnitudes[field] || 0;
      if (found[doc]) {
        totals[doc] += score;
      } else {
        found[doc] = 1;
        totals[doc] = score;
        order.push(doc);
      }
    }
    return this.results(order, totals, scanned, kept);
  };

  /* score()'s answer, a result list (see search()) over the keys in the order lunr first
   * matched them. Sorting tens of thousands of results takes longer than scoring them, and
   * a page shows 20: the first results are picked out in one pass (best first, ties in
   * match order, as lunr's stable sort leaves them), and everything is sorted only when
   * more is asked for. A result's matched terms are found when asked for (the identity
   * test asks; the page needs only which terms matched at all). */
  ChunkedIndex.prototype.results = function (order, totals, scanned, kept) {
    var sorted = null, picked = [];
    function best(n) {
      var found = [];
      for (var r = 0; r < order.length; r++) {
        var score = totals[order[r]];
        if (found.length === n) {
          if (!(score > totals[order[found[n - 1]]])) continue;
          found.pop();
        }
        var i = found.length;
        while (i > 0 && totals[order[found[i - 1]]] < score) i--;
        found.splice(i, 0, r);
      }
      return found.map(function (r) { return order[r]; });
    }
    function all() {
      if (sorted) return sorted;
      var rank = new Int32Array(order.length);
      for (var r = 0; r < rank.length; r++) rank[r] = r;
      rank.sort(function (a, b) { return totals[order[b]] - totals[order[a]] || a - b; });
      sorted = new Array(rank.length);
      for (r = 0; r < rank.length; r++) sorted[r] = order[rank[r]];
      return sorted;
    }
    var terms = new Set();
    scanned.forEach(function (match) {
      if (terms.has(match.term)) return;
      for (var j = 0; j < match.keys.length; j++) {
        if (kept(match.keys[j])) { terms.add(match.term); return; }
      }
    });
    return {
      length: order.length,
      slice: function (start, end) {
        end = Math.min(end, order.length);
        if (!sorted && end > picked.length && end <= PICK_AT_MOST) picked = best(end);
        return (end <= picked.length ? picked : all()).slice(start, end);
      },
      scoreOf: function (key) { return totals[key]; },
      terms: Array.from(terms),
      termsOf: function (key) {
        var own = new Set();
        scanned.forEach(function (match) {
          if (position(match.keys, key) !== -1) own.add(match.term);
        });
        return Array.from(own);
      }
    };
  };

  /* Where each document's row is (generator/search_chunks.py, "Document shards"): the
   * shard map gives every key's bucket, two characters of MAP_DIGITS each; a key's rank
   * among the keys of its bucket (counted oldest first) gives its shard, rank / shardSize,
   * and its row there. Loaded with the manifest, before the first query needs it. */
  ChunkedIndex.prototype.loadLayout = function () {
    var self = this;
    if (!this.layout) {
      this.layout = this.fetchJson(this.shardMapName).then(function (text) {
        var digit = new Int8Array(128), count = self.count;
        for (var d = 0; d < MAP_DIGITS.length; d++) digit[MAP_DIGITS.charCodeAt(d)] = d;
        var buckets = new Int32Array(count), ranks = new Int32Array(count);
        var seen = new Int32Array(self.shardBuckets);
        for (var key = 0; key < count; key++) {
          var bucket = digit[text.charCodeAt(2 * key)] * 64 + digit[text.charCodeAt(2 * key + 1)];
          buckets[key] = bucket;
          ranks[key] = seen[bucket]++;
        }
        return { buckets: buckets, ranks: ranks };
      });
    }
    return this.layout;
  };

  /* The documents of the given keys, one promise each (shards are fetched in the order of
   * the keys, so the best results' shards are asked for first; results with the same
   * title heading share a shard). */
  ChunkedIndex.prototype.documentsEach = function (keys) {
    var self = this, size = this.shardSize, columns = this.columns, layout = this.loadLayout();
    return keys.map(function (key) {
      return layout.then(function (where) {
        var rank = where.ranks[key];
        var name = "docs/" + where.buckets[key] + "-" + Math.floor(rank / size) + ".json";
        if (!self.shards[name]) self.shards[name] = self.fetchJson(name);
        return self.shards[name].then(function (rows) {
          var row = rows[rank % size], doc = { key: key };
          for (var i = 0; i < columns.length; i++) doc[columns[i]] = row[i];
          return doc;
        });
      });
    });
  };

  ChunkedIndex.prototype.documents = function (keys) {
    return Promise.all(this.documentsEach(keys));
  };

  /* Every document's filters: {department, house, year, status} by key. */
  ChunkedIndex.prototype.facetTable = function () {
    var self = this;
    if (!this.facets) {
      this.facets = this.fetchJson(this.facetsName).then(function (data) {
        var h = data.houses.length, y = data.years.length, s = data.statuses.length;
        return data.docs.map(function (code) {
          var status = code % s; code = (code - status) / s;
          var year = code % y; code = (code - year) / y;
          var house = code % h;
          return { department: self.departments[(code - house) / h][1], house: data.houses[house],
            year: data.years[year], status: data.statuses[status] };
        });
      });
    }
    return this.facets;
  };

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* Whether b is within `limit` edits of a (insert, delete, substitute, swap two adjacent
   * letters): every word lunr's fuzzy match (lunr.TokenSet.fromFuzzyString) accepts is. */
  function withinEdits(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return false;
    var previous2 = null, previous = [], current, i, j;
    for (j = 0; j <= b.length; j++) previous.push(j);
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, previous2[j - 2] + 1);
        }
        current.push(value);
        if (value < best) best = value;
      }
      if (best > limit) return false;
      previous2 = previous;
      previous = current;
    }
    return previous[b.length] <= limit;
  }

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  var DEBOUNCE_MS = 180;
  var MAP_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var SCREEN = 10;  // results that fill a first screen
  var PICK_AT_MOST = 100;  // results picked out best first without sorting them all
  var WARM_DOCUMENTS = 4000;  // documents of the made-up words scored while the page loads
  var WARM_ROUNDS = 3;  // times they are scored
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

  var index = null, generation = 0;
  var current = [], shown = 0, matched = Object.create(null), timer = null, typing = false;
  var matchedFirst = Object.create(null);  // first letters of the matched terms
  var pendingPush = null;  // whether the next address update adds a history entry (remember)

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

  /* The address bar follows the search, but only once its results are shown: a history
   * entry makes the browser do work of its own (a same-document navigation, the tab's
   * icon fetched again) that would otherwise compete with the query for the processor.
   * `push` asks for a new history entry (else the current one is replaced); a run
   * superseded before it finished hands its push on to the next. */
  function remember(push) {
    pendingPush = pendingPush === true || push;
  }

  function updateAddress(state) {
    if (pendingPush === null) return;
    var url = stateUrl(state), push = pendingPush;
    pendingPush = null;
    if (url === window.location.pathname + window.location.search) return;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }

  function passesFilters(facets, state) {
    return (!state.department || facets.department === state.department) &&
      (!state.house || facets.house === state.house) &&
      (!state.year || facets.year === state.year) &&
      (!state.status || facets.status === state.status);
  }

  function hasFilter(state) {
    return FILTERS.some(function (name) { return state[name]; });
  }

  /* The keys of the results, best first (or newest first for filters alone): an array, or
   * the search's own result list (length and slice, sorted only as far as asked). */
  function resultKeys(query, state) {
    var hits = query ? index.search(query) : Promise.resolve(null);
    var facets = hasFilter(state) ? index.facetTable() : Promise.resolve(null);
    return Promise.all([hits, facets]).then(function (loaded) {
      var found = loaded[0], table = loaded[1], keys = [];
      if (found) {
        found.terms.forEach(function (term) {
          matched[term] = true;
          matchedFirst[term.charAt(0)] = true;
        });
        if (!table) return found;
        found.slice(0, found.length).forEach(function (key) {
          if (passesFilters(table[key], state)) keys.push(key);
        });
      } else {
        for (var key = index.count - 1; key >= 0; key--) {
          if (passesFilters(table[key], state)) keys.push(key);
        }
      }
      return keys;
    });
  }

  /* Search for what the form holds and show the first page: a promise settled once it is
   * shown (or has failed), or nothing when there is nothing to search for. */
  function run() {
    var state = formState(), query = state.q.trim(), mine = ++generation, keys;
    if (!index) {
      status.textContent = "Loading the search index…";
      updateAddress(state);
      return;
    }
    performance.mark("answers-search-start");
    matched = Object.create(null);
    matchedFirst = Object.create(null);
    status.classList.remove("search-problem");
    if (!query && !hasFilter(state)) {
      current = [];
      results.textContent = "";
      more.hidden = true;
      status.textContent = "Type words to search, or choose a filter to list questions.";
      updateAddress(state);
      return;
    }
    try {
      keys = resultKeys(query, state);
    } catch (error) {
      if (!(error instanceof lunr.QueryParseError)) throw error;
      showProblem(error.message);
      updateAddress(state);
      return;
    }
    return keys.then(function (found) {
      if (mine !== generation) return null;
      current = found;
      performance.measure("answers-search-found", "answers-search-start");
      return showFirstPage(mine, query, state);
    }).catch(function (error) {
      if (mine === generation) showFailure(error);
    }).then(function () {
      if (mine === generation) updateAddress(state);
    });
  }

  /* The first page of results, each shown as soon as it and every better one are loaded
   * (their document shards come in over several requests): the first screen appears
   * without waiting for the rest of the page. Measures (for bench/search_bench.py), all
   * from the query: "answers-search-found" once the results are known (term chunks
   * fetched and scored), "answers-search-screen" once the first SCREEN are shown, and
   * "answers-search" once the whole page is. */
  function showFirstPage(mine, query, state) {
    var page = current.slice(0, pageSize()), screen = Math.min(SCREEN, page.length);
    var started = false;
    function start() {
      started = true;
      results.textContent = "";
      shown = 0;
      var list = document.createElement("ol");
      list.className = "result-list";
      list.id = "result-list";
      results.appendChild(list);
    }
    var chain = Promise.resolve();
    index.documentsEach(page).forEach(function (loading, i) {
      chain = chain.then(function () { return loading; }).then(function (doc) {
        if (mine !== generation) return;
        if (!started) start();
        appendResults([doc], false);
        if (i + 1 === screen && screen < page.length) {
          status.textContent = summary(current.length, query, state);
          performance.measure("answers-search-screen", "answers-search-start");
        }
      });
    });
    return chain.then(function () {
      if (mine !== generation) return;
      if (!started) {
        results.textContent = "";
        shown = 0;
        more.hidden = true;
      }
      status.textContent = summary(current.length, query, state);
      performance.measure("answers-search", "answers-search-start");
    });
  }

  function pageSize() {
    return Number(root.dataset.pageSize) || 20;
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
    var mine = generation;
    return index.documents(current.slice(shown, shown + pageSize())).then(function (docs) {
      if (mine === generation) appendResults(docs, moveFocus);
    });
  }

  function appendResults(docs, moveFocus) {
    var list = document.getElementById("result-list"), first = null;
    docs.forEach(function (doc) {
      var item = renderResult(doc);
      list.appendChild(item);
      if (!first) first = item.querySelector("a");
    });
    shown += docs.length;
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
    var parts = [index.departments[doc.department][0]];
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

  // A word's terms, remembered: snippets repeat words, and the stemmer is the slow part
  // of showing a page of results.
  var termsOfWord = new Map();

  function isMatch(word) {
    var key = word.toLowerCase(), terms = termsOfWord.get(key);
    if (!terms) {
      terms = highlightPipeline.run([new lunr.Token(key)]).map(String);
      termsOfWord.set(key, terms);
    }
    return terms.some(function (term) { return matched[term]; });
  }

  /* Whether a word may stand for a matched term: the stemmer never changes a word's first
   * letter, so only words whose normalised parts start like a matched term are stemmed
   * (most words of a snippet are not, and a first query stems them all otherwise). */
  function mayMatch(word) {
    var firsts = firstsOfWord.get(word);
    if (firsts === undefined) {
      firsts = normaliseTerm(word.toLowerCase()).map(function (part) { return part.charAt(0); })
        .join("");
      firstsOfWord.set(word, firsts);
    }
    for (var i = 0; i < firsts.length; i++) if (matchedFirst[firsts.charAt(i)]) return true;
    return false;
  }

  // The first letters of a word's normalised parts, remembered (the regular expressions
  // of normaliseTerm are the larger part of highlighting a page of snippets otherwise).
  var firstsOfWord = new Map();

  // Punctuation around a word stays outside its highlight ("2023." marks "2023").
  var PUNCTUATION = "[.,;:!?()\\[\\]{}\"'\u2018\u2019\u201c\u201d\u2026]+";
  var LEADING = new RegExp("^" + PUNCTUATION), TRAILING = new RegExp(PUNCTUATION + "$");

  function words(text) {
    var found = [], re = /[^\s\-]+/g, m;
    while ((m = re.exec(text))) {
      var trimmed = m[0].replace(LEADING, "");
      var start = m.index + m[0].length - trimmed.length, core = trimmed.replace(TRAILING, "");
      if (core) found.push({ start: start, end: start + core.length, hit: mayMatch(core) && isMatch(core) });
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

  function showFailure(error) {
    status.textContent = "Search could not be loaded (" + error.message + "). " +
      "You can browse questions by department instead.";
    unavailable.hidden = false;
  }

  function load() {
    status.textContent = "Loading the search index…";
    var url = root.dataset.manifest;
    return fetchJson(url)
      .then(function (manifest) {
        index = new ChunkedIndex(url.slice(0, url.lastIndexOf("/") + 1), manifest);
        var searching = run();
        var layout = index.loadLayout();
        // A search in the URL is shown first: the warm-up would hold up its chunks.
        if (searching) searching.then(warmUp); else warmUp();
        return layout;
      })
      .then(function () {
        root.classList.add("search-ready");
      })
      .catch(showFailure);
  }

  /* Run the code of a query on made-up data while the page loads (while the shard map
   * comes in, or once the URL's own search is shown): lunr's parser, index and
   * scoring, the vector entries and scoring of two words found in WARM_DOCUMENTS documents
   * in every field, and the rendering of a page of results with highlighted snippets.
   * A first query on a large archive loops over tens of thousands of postings; done once
   * here at a similar size, those loops are compiled by the engine's optimising tiers
   * before the reader's first query, not while it runs. Nothing is fetched and nothing
   * shown. An empty archive has no result to show, nor a department to show one with. */
  function warmUp() {
    if (!index.count) return;
    var entries = [{ field: index.fields[0], number: 0, keys: new Int32Array(1),
      scores: new Float64Array([1]) }];
    var small = index.assemble(["warm"], [entries], false);
    small.search("warm warm~1 w*");
    var query = new lunr.Query(index.fields);
    new lunr.QueryParser("warm +warm -cold", query).parse();
    index.score(query, new Map([["warm", entries]])).slice(0, 1);
    var words = new lunr.Query(index.fields);
    new lunr.QueryParser("warm words", words).parse();
    var documents = Math.min(WARM_DOCUMENTS, Math.ceil(index.count / 2));  // keys stay >= 0
    var postings = madeUpPostings(documents);
    for (var round = 0; round < WARM_ROUNDS; round++) {
      var made = new Map([["warm", madeUpEntries(postings)], ["word", madeUpEntries(postings)]]);
      index.score(words, made).slice(0, pageSize());
    }
    var saved = [matched, matchedFirst];
    matched = { warm: true, word: true };
    matchedFirst = { w: true };
    var text = "Warm words about the warmest of words, worded warmly for a warm welcome. ";
    for (var n = 0; n < pageSize(); n++) {
      renderResult({ url: "", title: "Warm words", department: 0, status: "holding",
        asked_on: "2024-01-01", answered_on: "2024-01-02", asked_by: "Warm Words", uin: "1",
        question: text + text, answer: text + text + text });
    }
    matched = saved[0];
    matchedFirst = saved[1];
  }

  /* The postings of a made-up term in `documents` documents in every field, shaped as a
   * chunk's; and their vector entries, computed by termEntries (and not kept). */
  function madeUpPostings(documents) {
    return index.fields.map(function (_, f) {
      var steps = [], tfs = [], lengths = [];
      for (var j = 0; j < documents; j++) {
        steps.push(j === 0 ? index.count - 1 : 1 + (j % 2));
        tfs.push(1 + (j % 3));
        lengths.push(5 + (j % 17));
      }
      return [f, steps, tfs, lengths];
    });
  }

  function madeUpEntries(encoded) {
    var made = index.termEntries("\u0000warm", encoded);
    index.postings.delete("\u0000warm");
    return made;
  }

  /* For tests and benchmarks: the same search the page runs, as [{ref, score, terms}] (the
   * top `limit` results, refs resolved through the document shards); `viaLunr` scores
   * every query with a lunr.Index, as wildcard and fuzzy queries are. */
  window.answersSearch = function (query, limit, viaLunr) {
    return index.search(query, viaLunr).then(function (found) {
      return index.documents(found.slice(0, limit)).then(function (docs) {
        return docs.map(function (doc) {
          return { ref: doc.ref, score: found.scoreOf(doc.key), terms: found.termsOf(doc.key).sort() };
        });
      });
    });
  };

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
    showMore(true).then(function () {
      status.textContent = summary(current.length, input.value.trim(), formState());
    });
  });
  root.addEventListener("keydown", onKeydown);
  window.addEventListener("popstate", function () {
    window.clearTimeout(timer);
    typing = false;
    pendingPush = null;
    applyState(readState());
    run();
  });

  applyState(readState());
  load();
})();
