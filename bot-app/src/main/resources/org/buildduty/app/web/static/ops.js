// Live view of one operation. The page is whole without this script (lines so far, steps, failed hosts, the
// ?host= / ?failed=1 filter as a GET form); this follows /ops/<id>/events from the page's last line (data-after) and
// appends each new line to its step's section (as text, never as HTML) with its time and host, updates #state,
// #detail, #queue, the progress bar (red once it ended badly), each step's summary and host rows and the failed
// hosts from "state" events, folds a step that succeeds (unless the reader opened or closed it), and sets
// #stream-status to "live" while streaming and "ended" after the "end" event. The page never reloads.
(function () {
    'use strict';
    var body = document.body;
    var id = body.getAttribute('data-op');
    var log = document.getElementById('log');
    var state = document.getElementById('state');
    var detail = document.getElementById('detail');
    var queue = document.getElementById('queue');
    var progress = document.getElementById('progress');
    var count = document.getElementById('count');
    var failedCount = document.getElementById('failed-count');
    var failedSection = document.getElementById('failed-hosts');
    var failedList = document.getElementById('failed-list');
    var status = document.getElementById('stream-status');
    var endedAt = document.getElementById('ended');
    var duration = document.getElementById('duration');
    var onlyHost = body.getAttribute('data-host') || '';
    var onlyFailed = body.getAttribute('data-failed') === '1';
    if (!id || !log || typeof EventSource === 'undefined') {
        return;
    }
    var lastSeq = Number(body.getAttribute('data-after') || '0');
    // lines up to this seq may be in the page already ("failed only" resumes before a running host's lines)
    var rendered = Number(body.getAttribute('data-rendered') || '0');
    var ended = false;
    var failedRuns = {};
    var touched = {};
    var url = '/ops/' + encodeURIComponent(id) + '/events?after=' + lastSeq
        + (onlyHost ? '&host=' + encodeURIComponent(onlyHost) : '');
    var source = new EventSource(url);

    function setText(el, text) {
        if (el) {
            el.textContent = text;
        }
    }

    function hostLink(host) {
        var a = document.createElement('a');
        a.href = '?host=' + encodeURIComponent(host);
        a.className = 'host';
        a.textContent = host;
        return a;
    }

    function admitsRun(host, failed) {
        return (!onlyHost || onlyHost === host) && (!onlyFailed || failed);
    }

    // the reader's own folding wins over the automatic one
    Array.prototype.forEach.call(log.querySelectorAll('details.step > summary'), function (s) {
        s.addEventListener('click', function () {
            touched[s.parentNode.getAttribute('data-step')] = true;
        });
    });

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
        if (d.seq <= lastSeq || (d.seq <= rendered && log.querySelector('div.line[data-seq="' + d.seq + '"]'))) {
            return;
        }
        lastSeq = d.seq;
        var run = d.stepIndex + '|' + d.host;
        var box = document.getElementById('lines-' + d.stepIndex);
        if (!box) {
            var all = log.querySelectorAll('div.lines');
            box = all.length > 0 ? all[all.length - 1] : log;
        }
        var div = document.createElement('div');
        div.className = 'line' + (d.stream === 'stderr' ? ' stderr' : '');
        div.setAttribute('data-seq', String(d.seq));
        div.setAttribute('data-run', run);
        var time = document.createElement('time');
        time.setAttribute('datetime', d.at);
        time.title = d.at + ' ' + d.step;
        time.textContent = d.time;
        var host = document.createElement('span');
        host.className = 'host';
        host.textContent = d.host;
        var text = document.createElement('span');
        text.className = 'text';
        text.textContent = d.text;
        div.appendChild(time);
        div.appendChild(document.createTextNode(' '));
        div.appendChild(host);
        div.appendChild(document.createTextNode(' '));
        div.appendChild(text);
        if (onlyFailed && !failedRuns[run]) {
            div.hidden = true;
        }
        box.appendChild(div);
        setText(status, 'live');
    });

    function updateStep(step, runs) {
        var section = document.getElementById('step-' + step.index);
        if (!section) {
            return;
        }
        var cls = step.state.replace(/ /g, '_');
        var wasOpen = section.open;
        section.className = 'step ' + cls;
        setText(section.querySelector('.step-state'), step.state);
        setText(section.querySelector('.step-hosts'), step.total === 0 ? '' : step.ok + ' ok'
            + (step.failed > 0 ? ', ' + step.failed + ' failed' : '') + ' of ' + step.total
            + (step.total === 1 ? ' host' : ' hosts'));
        setText(section.querySelector('.step-duration'), step.duration);
        if (!touched[String(step.index)]) {
            section.open = step.state !== 'succeeded' && step.state !== 'confirmed';
        } else {
            section.open = wasOpen;
        }
        var table = document.getElementById('hosts-' + step.index);
        if (!table || table.tBodies.length === 0) {
            return;
        }
        var tbody = table.tBodies[0];
        var mine = runs.filter(function (h) {
            return h.stepIndex === step.index && h.failed && admitsRun(h.host, true);
        }).concat(runs.filter(function (h) {
            return h.stepIndex === step.index && !h.failed && admitsRun(h.host, false);
        }));
        while (tbody.rows.length > mine.length) {
            tbody.deleteRow(-1);
        }
        mine.forEach(function (h, i) {
            var row = i < tbody.rows.length ? tbody.rows[i] : tbody.insertRow(-1);
            row.setAttribute('data-run', step.index + '|' + h.host);
            row.className = h.failed ? 'failed' : '';
            while (row.cells.length < 6) {
                row.insertCell(-1);
            }
            var first = row.cells[0];
            if (first.textContent !== h.host) {
                first.textContent = '';
                first.appendChild(hostLink(h.host));
            }
            [h.state, h.exitCode, h.started, h.duration, h.rollback ? 'rollback' : ''].forEach(function (t, j) {
                row.cells[j + 1].textContent = t;
            });
        });
    }

    function updateFailed(runs) {
        if (!failedList) {
            return;
        }
        runs.filter(function (h) {
            return h.failed && admitsRun(h.host, true);
        }).forEach(function (h) {
            var run = h.stepIndex + '|' + h.host;
            if (failedRuns[run]) {
                return;
            }
            failedRuns[run] = true;
            Array.prototype.forEach.call(log.querySelectorAll('div.line[hidden]'), function (l) {
                if (l.getAttribute('data-run') === run) {
                    l.hidden = false;
                }
            });
            var exists = Array.prototype.some.call(failedList.children, function (li) {
                return li.getAttribute('data-run') === run;
            });
            if (exists) {
                return;
            }
            var li = document.createElement('li');
            li.setAttribute('data-run', run);
            li.appendChild(hostLink(h.host));
            li.appendChild(document.createTextNode(' '));
            var where = document.createElement('span');
            where.className = 'failed-step';
            where.textContent = 'step ' + (h.stepIndex + 1) + ' ' + h.step;
            li.appendChild(where);
            li.appendChild(document.createTextNode(': '));
            var what = document.createElement('span');
            what.className = 'failed-state';
            what.textContent = h.state + (h.exitCode ? ', exit ' + h.exitCode : '');
            li.appendChild(what);
            if (h.reason) {
                var reason = document.createElement('span');
                reason.className = 'reason';
                reason.textContent = ' ' + h.reason;
                li.appendChild(reason);
            }
            var lines = Array.prototype.filter.call(log.querySelectorAll('div.line'), function (l) {
                return l.getAttribute('data-run') === run;
            }).slice(-5).map(function (l) {
                var t = l.querySelector('.text');
                return t ? t.textContent : '';
            });
            if (lines.length === 0 && h.lastLine) {
                lines = [h.lastLine];
            }
            if (lines.length > 0) {
                var pre = document.createElement('pre');
                pre.className = 'last';
                pre.textContent = lines.join('\n');
                li.appendChild(pre);
            }
            failedList.appendChild(li);
        });
        if (failedSection && failedList.children.length > 0) {
            failedSection.hidden = false;
        }
    }

    // the runs that had failed when the page was made
    Array.prototype.forEach.call(document.querySelectorAll('#failed-list li'), function (li) {
        failedRuns[li.getAttribute('data-run')] = true;
    });

    source.addEventListener('state', function (e) {
        var s = JSON.parse(e.data);
        setText(state, s.state);
        if (state && state.parentNode) {
            state.parentNode.className = 'status ' + s.state.replace(/ /g, '_');
        }
        setText(detail, s.detail);
        if (queue) {
            queue.textContent = s.queue;
            queue.hidden = !s.queue;
        }
        if (progress) {
            progress.max = Math.max(1, s.total);
            progress.value = s.done;
            progress.className = s.bad ? 'bad' : '';
        }
        setText(count, s.done + '/' + s.total);
        if (failedCount) {
            failedCount.textContent = s.failed + ' failed';
            failedCount.hidden = s.failed === 0;
        }
        if (s.ended) {
            setText(endedAt, s.ended);
            setText(duration, s.duration);
        }
        updateFailed(s.hostRuns);
        s.steps.forEach(function (step) {
            updateStep(step, s.hostRuns);
        });
    });
    source.addEventListener('end', function () {
        ended = true;
        source.close();
        setText(status, 'ended');
    });
}());
