// Alveolus portal: a little vanilla JavaScript on top of server-rendered pages. No tokens here: the session cookie
// is HttpOnly and every call goes through the portal's own backend-for-frontend.
(function () {
  'use strict';
  var CSRF = { 'X-Alveolus-Csrf': '1' };
  var page = document.body.getAttribute('data-page');

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }

  function problemDetail(status, body) {
    try {
      var p = JSON.parse(body);
      if (p && p.detail) { return p.detail; }
    } catch (ignored) { /* not JSON */ }
    if (status === 0) { return 'network error or session expired: reload the page'; }
    return 'refused (HTTP ' + status + ')';
  }

  // ---- worklist: live rows over server-sent events --------------------------------------------------------
  function worklist() {
    var tbody = document.getElementById('rows');
    var live = document.getElementById('live');
    var count = document.getElementById('count');
    window.alveolusLive = { events: [], refreshes: 0 };

    function row(r, known) {
      var tr = el('tr', { 'data-analysis': r.id, 'data-status': r.status });
      if (r.flagged) { tr.classList.add('flagged'); }
      if (!known[r.id] || known[r.id] !== r.status) { tr.classList.add('fresh'); }
      var td = el('td'); td.appendChild(el('a', { href: '/studies/' + r.id }, r.accession)); tr.appendChild(td);
      tr.appendChild(el('td', {}, r.patientRef));
      td = el('td');
      if (r.urgent) { td.appendChild(el('span', { 'class': 'badge urgent' }, 'urgent')); } else { td.textContent = 'routine'; }
      tr.appendChild(td);
      td = el('td'); td.appendChild(el('span', { 'class': 'status s-' + r.status }, r.status)); tr.appendChild(td);
      td = el('td', { 'class': 'result' });
      if (r.flagged) { td.appendChild(el('span', { 'class': 'badge flag' }, r.result)); } else { td.textContent = r.result; }
      tr.appendChild(td);
      tr.appendChild(el('td', { 'class': 'review' }, r.review));
      td = el('td'); td.appendChild(el('time', { datetime: r.receivedAt }, r.age)); tr.appendChild(td);
      return tr;
    }

    function refresh() {
      fetch('/api/worklist' + window.location.search, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
        .then(function (data) {
          var known = {};
          Array.prototype.forEach.call(tbody.querySelectorAll('tr'), function (tr) {
            known[tr.getAttribute('data-analysis')] = tr.getAttribute('data-status');
          });
          var rows = document.createDocumentFragment();
          data.items.forEach(function (r) { rows.appendChild(row(r, known)); });
          tbody.replaceChildren(rows);
          count.textContent = data.total + (data.total === 1 ? ' analysis' : ' analyses');
          var empty = document.getElementById('empty');
          if (empty) { empty.hidden = data.items.length > 0; }
          window.alveolusLive.refreshes++;
          live.textContent = 'live updates: on, last update ' + new Date().toLocaleTimeString();
        })
        .catch(function () { live.textContent = 'live updates: could not refresh, reload the page'; });
    }

    // "time since upload" keeps counting between refreshes
    function age(iso) {
      var s = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 1000));
      if (isNaN(s)) { return null; }
      if (s < 60) { return 'just now'; }
      if (s < 3600) { return Math.floor(s / 60) + ' min ago'; }
      if (s < 86400) { return Math.floor(s / 3600) + ' h ago'; }
      return Math.floor(s / 86400) + ' d ago';
    }
    setInterval(function () {
      Array.prototype.forEach.call(tbody.querySelectorAll('time[datetime]'), function (t) {
        var a = age(t.getAttribute('datetime'));
        if (a) { t.textContent = a; }
      });
    }, 30000);

    if (!window.EventSource) { live.textContent = 'live updates: not supported by this browser'; return; }
    var pending = null;
    var source = new EventSource('/api/events');
    source.onopen = function () { live.textContent = 'live updates: on'; };
    source.onerror = function () { live.textContent = 'live updates: reconnecting…'; };
    source.onmessage = function (m) {
      var e;
      try { e = JSON.parse(m.data); } catch (ignored) { return; }
      if (!e || e.type !== 'analysis') { return; }
      window.alveolusLive.events.push(e.analysisId);
      // several results in a burst: one re-fetch
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; refresh(); }, 300);
    };
  }

  // ---- study: heat map overlay and review ------------------------------------------------------------------
  function study() {
    var overlay = document.getElementById('heatmap');
    var toggle = document.getElementById('overlay-toggle');
    var opacity = document.getElementById('overlay-opacity');
    if (overlay && toggle && opacity) {
      toggle.addEventListener('change', function () { overlay.hidden = !toggle.checked; opacity.disabled = !toggle.checked; });
      opacity.addEventListener('input', function () { overlay.style.opacity = String(opacity.value / 100); });
    }
    var form = document.getElementById('review-form');
    if (!form) { return; }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var label = form.querySelector('input[name=label]:checked').value;
      var comment = document.getElementById('review-comment').value;
      var error = document.getElementById('review-error');
      var button = document.getElementById('review-submit');
      error.textContent = '';
      button.disabled = true;
      fetch('/api/studies/' + form.getAttribute('data-id') + '/review', {
        method: 'POST', credentials: 'same-origin',
        headers: Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, CSRF),
        body: JSON.stringify({ label: label, comment: comment })
      }).then(function (r) {
        return r.text().then(function (body) {
          button.disabled = false;
          if (!r.ok) { error.textContent = problemDetail(r.status, body); return; }
          var a = JSON.parse(body);
          var verdict = (a.reviewLabel === form.getAttribute('data-model-label')) ? 'confirmed' : 'overruled';
          var text = verdict + ': ' + (a.reviewLabel === 'PNEUMONIA' ? 'pneumonia' : 'no pneumonia') + ' (' + a.reviewedBy
            + ') at ' + when(a.reviewedAt) + (a.reviewComment ? ': “' + a.reviewComment + '”' : '');
          var p = el('p', { id: 'review-text' });
          p.appendChild(el('strong', {}, text));
          document.getElementById('review').replaceChildren(p);
        });
      }).catch(function () { button.disabled = false; error.textContent = problemDetail(0, ''); });
    });
  }

  // ---- upload: drag and drop, one request per file with its own progress -----------------------------------
  function upload() {
    var drop = document.getElementById('drop');
    var input = document.getElementById('files');
    var list = document.getElementById('uploads');

    function send(file) {
      var li = el('li', { 'class': 'upload-item' });
      li.appendChild(el('strong', {}, file.name));
      var progress = el('progress', { max: '100', value: '0', 'aria-label': 'Upload progress of ' + file.name });
      li.appendChild(progress);
      var status = el('p', { 'class': 'upload-status', role: 'status' }, 'uploading…');
      li.appendChild(status);
      list.appendChild(li);

      var data = new FormData();
      ['studyId', 'patientRef', 'referringPhysician', 'priority'].forEach(function (name) {
        data.append(name, document.getElementById(name).value);
      });
      data.append('file', file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/uploads');
      xhr.setRequestHeader('X-Alveolus-Csrf', '1');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { progress.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        progress.value = 100;
        if (xhr.status === 200 || xhr.status === 202) {
          var receipt = JSON.parse(xhr.responseText);
          status.className = 'upload-status ok';
          status.textContent = (receipt.duplicate ? 'Already received: ' : 'Accepted for analysis: ');
          status.appendChild(el('a', { href: '/studies/' + receipt.analysisId }, 'open study'));
          li.setAttribute('data-result', 'accepted');
        } else {
          status.className = 'upload-status error';
          status.textContent = 'Refused: ' + problemDetail(xhr.status, xhr.responseText);
          li.setAttribute('data-result', 'refused');
        }
      };
      xhr.onerror = function () {
        status.className = 'upload-status error';
        status.textContent = 'Failed: ' + problemDetail(0, '');
        li.setAttribute('data-result', 'refused');
      };
      xhr.send(data);
    }

    function sendAll(files) { Array.prototype.forEach.call(files, send); }
    input.addEventListener('change', function () { sendAll(input.files); input.value = ''; });
    ['dragenter', 'dragover'].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (e) { if (e.dataTransfer) { sendAll(e.dataTransfer.files); } });
  }

  if (page === 'worklist') { worklist(); }
  if (page === 'study') { study(); }
  if (page === 'upload') { upload(); }
}());
