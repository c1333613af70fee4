// The shell's error page: shows why the server stopped and the last lines of its log, and
// offers a restart. It reads everything through the preload bridge (window.gitssy).
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function render(state) {
    var s = state.server;
    $('logfile').textContent = state.logFile;
    $('datadir').textContent = state.dataDir;
    if (s.status === 'error' && s.error) {
      $('title').textContent = "Gitssy's server stopped";
      $('message').textContent = s.error.message;
      $('tail').textContent = s.error.logTail.length ? s.error.logTail.join('\n') : '(the server wrote nothing)';
      $('restart').disabled = false;
      $('status').textContent = '';
    } else if (s.status === 'running') {
      $('title').textContent = 'Gitssy is running';
      $('message').textContent = 'Opening the console…';
      $('restart').disabled = true;
    } else {
      $('title').textContent = 'Gitssy is starting';
      $('message').textContent = s.status === 'restarting' ? 'The server stopped unexpectedly; restarting it (attempt ' + s.restarts + ')…' : 'Starting the server…';
      $('restart').disabled = true;
    }
  }
  if (!window.gitssy) {
    $('message').textContent = 'This page only works inside the Gitssy app.';
    return;
  }
  window.gitssy.onState(render);
  window.gitssy.getState().then(render, function (err) { $('message').textContent = String(err && err.message || err); });
  $('restart').addEventListener('click', function () {
    $('restart').disabled = true;
    $('status').textContent = 'Restarting…';
    window.gitssy.restartServer().catch(function (err) {
      $('status').textContent = String(err && err.message || err);
      $('restart').disabled = false;
    });
  });
})();
