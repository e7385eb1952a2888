// Osiris portal client: listens to /events (Server-Sent Events) and refreshes the sections of this page
// whose data changed. Sections declare `data-live="<kinds>"`; forms use data-live-mode="notify" and only
// show a banner, so a refresh never discards what someone is typing. No build step, no dependencies.
(function () {
  'use strict';
  if (!window.EventSource) return;
  var pageSite = document.body.getAttribute('data-live-site') || '';
  var status = document.querySelector('[data-live-status]');
  var pending = null;
  var wanted = {};

  function sections() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-live]'));
  }

  function affected(el, ev) {
    var kinds = (el.getAttribute('data-live') || '').split(' ');
    var siteOk = el.hasAttribute('data-live-any') || ev.site === pageSite;
    return (
      siteOk &&
      ev.kinds.some(function (k) {
        return kinds.indexOf(k) >= 0;
      })
    );
  }

  function refresh() {
    pending = null;
    var ids = Object.keys(wanted);
    wanted = {};
    fetch(window.location.href, { credentials: 'same-origin', headers: { 'X-Requested-With': 'live' } })
      .then(function (r) {
        return r.ok ? r.text() : Promise.reject(r.status);
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        ids.forEach(function (id) {
          var cur = document.getElementById(id);
          var next = doc.getElementById(id);
          if (!cur || !next) return;
          cur.replaceWith(next);
          next.classList.add('live-flash');
        });
        document.dispatchEvent(new CustomEvent('osiris:refreshed', { detail: ids }));
      })
      .catch(function () {
        /* next event retries */
      });
  }

  function onChange(ev) {
    sections().forEach(function (el) {
      if (!affected(el, ev)) return;
      if (el.getAttribute('data-live-mode') === 'notify') {
        var banner = el.querySelector('[data-live-banner]');
        if (banner) banner.hidden = false;
        return;
      }
      if (el.id) wanted[el.id] = true;
    });
    if (Object.keys(wanted).length && !pending) pending = setTimeout(refresh, 150);
  }

  var es = new EventSource('/events');
  es.addEventListener('open', function () {
    if (status) status.classList.add('on');
  });
  es.addEventListener('error', function () {
    if (status) status.classList.remove('on');
  });
  es.addEventListener('change', function (m) {
    try {
      onChange(JSON.parse(m.data));
    } catch (e) {
      /* ignore malformed */
    }
  });
})();
