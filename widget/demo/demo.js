/* demo.js: the demo page's own script: starts the widget with run.sh's demo key and shows its events. */
(function () {
	'use strict';
	var c = window.HARK_DEMO || {};
	var out = document.getElementById('demo-events');
	if (!c.publicKey) {
		out.textContent = 'config.js has no public key: start hark with ./run.sh.';
		return;
	}
	// A bootstrap from a page on hark's own origin is a same-origin GET,
	// which browsers send without an Origin header, and the demo source
	// takes browsers by their Origin.  So the page talks to hark under
	// run.sh's other loopback name (both are the source's origins), as a
	// real site talks to hark on its own host.
	var host = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
	Hark.init({ publicKey: c.publicKey, endpoint: location.protocol + '//' + host + ':' + location.port });
	Hark.setContext({ demo: true, build: c.build || 'run.sh' });
	Hark.on('submitted', function (e) { out.textContent = 'Sent: ' + (e.id || '(queued item delivered)'); });
	Hark.on('error', function (e) { out.textContent = 'Widget: ' + (e.queued ? 'queued, will retry' : (e.message || e.code)); });
	document.getElementById('demo-log').addEventListener('click', function () {
		console.warn('demo: something odd happened at', new Date().toISOString());
	});
	document.getElementById('demo-fetch').addEventListener('click', function () {
		fetch('/v1/health').then(function (r) { console.log('health', r.status); });
	});
	document.getElementById('demo-open').addEventListener('click', function () { Hark.open(); });
})();
