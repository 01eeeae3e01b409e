// Live view of one operation: follows /ops/<id>/events (server-sent events) and appends each output line to
// #log (as text, never as HTML), updates #state, #detail, the progress bar and #hosts from "state" events, and
// sets #stream-status to "live" while streaming and "ended" after the "end" event. The page never reloads.
(function () {
    'use strict';
    var id = document.body.getAttribute('data-op');
    var log = document.getElementById('log');
    var state = document.getElementById('state');
    var detail = document.getElementById('detail');
    var progress = document.getElementById('progress');
    var count = document.getElementById('count');
    var hosts = document.getElementById('hosts');
    var status = document.getElementById('stream-status');
    var endedAt = document.getElementById('ended');
    var duration = document.getElementById('duration');
    if (!id || !log || typeof EventSource === 'undefined') {
        return;
    }
    var lastSeq = 0;
    var ended = false;
    var source = new EventSource('/ops/' + encodeURIComponent(id) + '/events');

    function setText(el, text) {
        if (el) {
            el.textContent = text;
        }
    }

    source.onopen = function () {
        if (!ended) {
            setText(status, 'live');
        }
    };
    source.onerror = function () {
        if (!ended) {
            setText(status, source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
        }
    };
    source.addEventListener('line', function (e) {
        var d = JSON.parse(e.data);
        if (d.seq <= lastSeq) {
            return;
        }
        lastSeq = d.seq;
        var div = document.createElement('div');
        div.className = 'line' + (d.stream === 'stderr' ? ' stderr' : '');
        div.setAttribute('data-seq', String(d.seq));
        if (d.host) {
            div.setAttribute('data-host', d.host);
        }
        div.textContent = d.text;
        log.appendChild(div);
        setText(status, 'live');
    });
    source.addEventListener('state', function (e) {
        var s = JSON.parse(e.data);
        setText(state, s.state);
        if (state && state.parentNode) {
            state.parentNode.className = 'status ' + s.state.replace(/ /g, '_');
        }
        setText(detail, s.detail);
        if (progress) {
            progress.max = Math.max(1, s.total);
            progress.value = s.done;
        }
        setText(count, s.done + '/' + s.total);
        if (s.ended) {
            setText(endedAt, s.ended);
            setText(duration, s.duration);
        }
        if (hosts && hosts.tBodies.length > 0) {
            var body = hosts.tBodies[0];
            while (body.rows.length > s.hostRuns.length) {
                body.deleteRow(-1);
            }
            s.hostRuns.forEach(function (h, i) {
                var row = i < body.rows.length ? body.rows[i] : body.insertRow(-1);
                var cells = [h.step, h.host, h.state, h.exitCode, h.started, h.duration, h.rollback ? 'rollback' : ''];
                while (row.cells.length < cells.length) {
                    row.insertCell(-1);
                }
                cells.forEach(function (text, j) {
                    row.cells[j].textContent = text;
                });
            });
        }
    });
    source.addEventListener('end', function () {
        ended = true;
        source.close();
        setText(status, 'ended');
    });
}());
