/* hark-dialog.js: the hark widget's dialog, loaded on first open: form, voice, screenshot with redaction, token, sending and the offline queue. */
(function (w, d, H) {
	'use strict';
	var C = H._core, cfg = C.cfg;

	// ---- strings: en, nl, de, es, fr; Hark.init({strings: {...}}) overrides any
	var S = {
		en: {
			title: 'Send feedback', close: 'Close', category: 'Category',
			bug: 'Something is broken', feature_request: 'Feature request', improvement: 'Improvement',
			question: 'Question', praise: 'Praise', other: 'Other',
			message: 'Your message', email: 'Email (optional)', send: 'Send', sending: 'Sending…',
			record: 'Record voice', stop: 'Stop recording', recording: 'Recording: {t} of {max}',
			recorded: 'Voice message, {t}', removeAudio: 'Remove voice message',
			attach: 'Attach screenshot', capture: 'Capture screen', removeShot: 'Remove screenshot',
			redact: 'Drag on the screenshot to black out anything private.', undo: 'Undo last black box',
			redactKeys: 'With the keyboard: arrow keys move the box, Shift with arrow keys resizes it, Enter blacks it out.',
			shotAlt: 'Screenshot to send', thanks: 'Thanks! Your feedback was sent.',
			queued: 'You seem to be offline. Your feedback is saved and will be sent when the connection is back.',
			empty: 'Please write a message or record one.', tooLarge: 'That is too large to send. Try a shorter recording or a smaller screenshot.',
			tooMany: 'Too many messages right now. Please try again in {n} seconds.',
			refused: 'This could not be sent: {m}', micDenied: 'The microphone could not be used.',
			shotFailed: 'That image could not be read.', captcha: 'Please complete the check first.'
		},
		nl: {
			title: 'Feedback geven', close: 'Sluiten', category: 'Categorie',
			bug: 'Er werkt iets niet', feature_request: 'Nieuwe functie', improvement: 'Verbetering',
			question: 'Vraag', praise: 'Compliment', other: 'Anders',
			message: 'Je bericht', email: 'E-mail (optioneel)', send: 'Versturen', sending: 'Bezig met versturen…',
			record: 'Spraak opnemen', stop: 'Opname stoppen', recording: 'Opname: {t} van {max}',
			recorded: 'Spraakbericht, {t}', removeAudio: 'Spraakbericht verwijderen',
			attach: 'Schermafbeelding toevoegen', capture: 'Scherm vastleggen', removeShot: 'Schermafbeelding verwijderen',
			redact: 'Sleep over de schermafbeelding om iets privés zwart te maken.', undo: 'Laatste zwarte vlak ongedaan maken',
			redactKeys: 'Met het toetsenbord: pijltjestoetsen verplaatsen het vlak, Shift met pijltjes maakt het groter of kleiner, Enter maakt het zwart.',
			shotAlt: 'Schermafbeelding om te versturen', thanks: 'Bedankt! Je feedback is verstuurd.',
			queued: 'Je lijkt offline te zijn. Je feedback is bewaard en wordt verstuurd zodra de verbinding terug is.',
			empty: 'Schrijf of spreek eerst een bericht in.', tooLarge: 'Dit is te groot om te versturen. Probeer een kortere opname of een kleinere schermafbeelding.',
			tooMany: 'Te veel berichten op dit moment. Probeer het over {n} seconden opnieuw.',
			refused: 'Dit kon niet worden verstuurd: {m}', micDenied: 'De microfoon kon niet worden gebruikt.',
			shotFailed: 'Die afbeelding kon niet worden gelezen.', captcha: 'Voltooi eerst de controle.'
		},
		de: {
			title: 'Feedback senden', close: 'Schließen', category: 'Kategorie',
			bug: 'Etwas funktioniert nicht', feature_request: 'Funktionswunsch', improvement: 'Verbesserung',
			question: 'Frage', praise: 'Lob', other: 'Sonstiges',
			message: 'Ihre Nachricht', email: 'E-Mail (optional)', send: 'Senden', sending: 'Wird gesendet…',
			record: 'Sprachnachricht aufnehmen', stop: 'Aufnahme beenden', recording: 'Aufnahme: {t} von {max}',
			recorded: 'Sprachnachricht, {t}', removeAudio: 'Sprachnachricht entfernen',
			attach: 'Bildschirmfoto anhängen', capture: 'Bildschirm aufnehmen', removeShot: 'Bildschirmfoto entfernen',
			redact: 'Ziehen Sie über das Bildschirmfoto, um Privates zu schwärzen.', undo: 'Letzte Schwärzung rückgängig machen',
			redactKeys: 'Mit der Tastatur: Pfeiltasten verschieben den Rahmen, Umschalt mit Pfeiltasten ändert seine Größe, Eingabe schwärzt ihn.',
			shotAlt: 'Zu sendendes Bildschirmfoto', thanks: 'Danke! Ihr Feedback wurde gesendet.',
			queued: 'Sie scheinen offline zu sein. Ihr Feedback ist gespeichert und wird gesendet, sobald die Verbindung zurück ist.',
			empty: 'Bitte schreiben oder sprechen Sie zuerst eine Nachricht.', tooLarge: 'Das ist zu groß zum Senden. Versuchen Sie eine kürzere Aufnahme oder ein kleineres Bildschirmfoto.',
			tooMany: 'Gerade zu viele Nachrichten. Bitte versuchen Sie es in {n} Sekunden erneut.',
			refused: 'Das konnte nicht gesendet werden: {m}', micDenied: 'Das Mikrofon konnte nicht verwendet werden.',
			shotFailed: 'Dieses Bild konnte nicht gelesen werden.', captcha: 'Bitte schließen Sie zuerst die Prüfung ab.'
		},
		es: {
			title: 'Enviar comentarios', close: 'Cerrar', category: 'Categoría',
			bug: 'Algo no funciona', feature_request: 'Nueva función', improvement: 'Mejora',
			question: 'Pregunta', praise: 'Elogio', other: 'Otro',
			message: 'Tu mensaje', email: 'Correo electrónico (opcional)', send: 'Enviar', sending: 'Enviando…',
			record: 'Grabar voz', stop: 'Detener grabación', recording: 'Grabando: {t} de {max}',
			recorded: 'Mensaje de voz, {t}', removeAudio: 'Quitar mensaje de voz',
			attach: 'Adjuntar captura', capture: 'Capturar pantalla', removeShot: 'Quitar captura',
			redact: 'Arrastra sobre la captura para tapar en negro lo privado.', undo: 'Deshacer el último recuadro negro',
			redactKeys: 'Con el teclado: las flechas mueven el recuadro, Mayús con las flechas cambia su tamaño, Intro lo tapa en negro.',
			shotAlt: 'Captura que se enviará', thanks: '¡Gracias! Tus comentarios se han enviado.',
			queued: 'Parece que no hay conexión. Tus comentarios se han guardado y se enviarán cuando vuelva.',
			empty: 'Escribe o graba un mensaje primero.', tooLarge: 'Es demasiado grande para enviarlo. Prueba con una grabación más corta o una captura más pequeña.',
			tooMany: 'Demasiados mensajes ahora mismo. Inténtalo de nuevo dentro de {n} segundos.',
			refused: 'No se ha podido enviar: {m}', micDenied: 'No se ha podido usar el micrófono.',
			shotFailed: 'No se ha podido leer esa imagen.', captcha: 'Completa primero la verificación.'
		},
		fr: {
			title: 'Donner votre avis', close: 'Fermer', category: 'Catégorie',
			bug: 'Quelque chose ne marche pas', feature_request: 'Nouvelle fonction', improvement: 'Amélioration',
			question: 'Question', praise: 'Compliment', other: 'Autre',
			message: 'Votre message', email: 'E-mail (facultatif)', send: 'Envoyer', sending: 'Envoi en cours…',
			record: 'Enregistrer un message vocal', stop: 'Arrêter l’enregistrement', recording: 'Enregistrement : {t} sur {max}',
			recorded: 'Message vocal, {t}', removeAudio: 'Supprimer le message vocal',
			attach: 'Joindre une capture', capture: 'Capturer l’écran', removeShot: 'Supprimer la capture',
			redact: 'Faites glisser sur la capture pour noircir ce qui est privé.', undo: 'Annuler le dernier rectangle noir',
			redactKeys: 'Au clavier : les flèches déplacent le cadre, Maj avec les flèches le redimensionne, Entrée le noircit.',
			shotAlt: 'Capture à envoyer', thanks: 'Merci ! Votre avis a été envoyé.',
			queued: 'Vous semblez hors ligne. Votre avis est enregistré et sera envoyé dès le retour de la connexion.',
			empty: 'Écrivez ou enregistrez d’abord un message.', tooLarge: 'C’est trop volumineux. Essayez un enregistrement plus court ou une capture plus petite.',
			tooMany: 'Trop de messages en ce moment. Réessayez dans {n} secondes.',
			refused: 'L’envoi a échoué : {m}', micDenied: 'Le micro n’a pas pu être utilisé.',
			shotFailed: 'Cette image n’a pas pu être lue.', captcha: 'Veuillez d’abord terminer la vérification.'
		}
	};
	var L = C.lang(), T = {}, k;
	for (k in S.en) T[k] = S[L][k] || S.en[k];
	for (k in cfg.strings || {}) T[k] = cfg.strings[k];
	function t(key, vars) {
		return String(T[key]).replace(/\{(\w+)\}/g, function (m, v) { return vars && v in vars ? vars[v] : m; });
	}

	var CATS = ['bug', 'feature_request', 'improvement', 'question', 'praise', 'other'];
	var MAX_AUDIO_S = +cfg.maxAudioSeconds || 120;
	var QUEUE_AUDIO_CAP = 10 * 1024 * 1024;	// bigger recordings are not kept offline
	var QUEUE_MAX_AGE = 7 * 86400000;	// a week of retries, then it is given up
	var fetchN = C.native.fetch.bind(w);	// ours is never recorded as page traffic

	// ---- DOM
	function h(tag, attrs, kids) {
		var e = d.createElement(tag), a;
		for (a in attrs || {}) {
			if (a === 'text') e.textContent = attrs[a];
			else if (a.slice(0, 2) === 'on') e.addEventListener(a.slice(2), attrs[a]);
			else if (attrs[a] === true) e.setAttribute(a, '');
			else if (attrs[a] !== false && attrs[a] != null) e.setAttribute(a, attrs[a]);
		}
		(kids || []).forEach(function (c) { if (c) e.appendChild(c); });
		return e;
	}
	var ui = {}, shell, opened = false, lastFocus = null, styled = false;
	function build() {
		var sh = C.host(), root = sh.root;
		ui.cat = h('select', { id: 'hark-cat' }, CATS.map(function (c) {
			return h('option', { value: c, text: t(c) });
		}));
		ui.cat.value = 'other';
		ui.msg = h('textarea', { id: 'hark-msg', rows: 5, maxlength: 5000, 'aria-describedby': 'hark-status' });
		ui.email = h('input', { id: 'hark-email', type: 'email', autocomplete: 'email' });
		ui.rec = h('button', { type: 'button', class: 'hark-btn', 'aria-pressed': 'false', text: t('record'), onclick: toggleRec });
		ui.file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', class: 'hark-vh', tabindex: '-1', 'aria-hidden': 'true', onchange: function () { if (ui.file.files[0]) shot(ui.file.files[0]); ui.file.value = ''; } });
		ui.attach = h('button', { type: 'button', class: 'hark-btn', text: t('attach'), onclick: function () { ui.file.click(); } });
		ui.cap = navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia ?
		    h('button', { type: 'button', class: 'hark-btn', text: t('capture'), onclick: capture }) : null;
		ui.timer = h('span', { class: 'hark-timer', role: 'timer', 'aria-live': 'off' });
		ui.audio = h('audio', { controls: true, preload: 'metadata' });
		ui.audioBox = h('div', { class: 'hark-media', hidden: true }, [ui.timer, ui.audio,
		    h('button', { type: 'button', class: 'hark-btn hark-link', text: t('removeAudio'), onclick: dropAudio })]);
		ui.canvas = h('canvas', { class: 'hark-canvas', role: 'img', tabindex: '0', 'aria-label': t('shotAlt'), 'aria-describedby': 'hark-redact hark-redact-keys' });
		ui.shotBox = h('div', { class: 'hark-media', hidden: true }, [
		    h('p', { id: 'hark-redact', class: 'hark-hint', text: t('redact') }),
		    h('p', { id: 'hark-redact-keys', class: 'hark-hint', text: t('redactKeys') }), ui.canvas,
		    h('div', { class: 'hark-row' }, [
			h('button', { type: 'button', class: 'hark-btn hark-link', text: t('undo'), onclick: function () { rects.pop(); paint(); } }),
			h('button', { type: 'button', class: 'hark-btn hark-link', text: t('removeShot'), onclick: dropShot })])]);
		ui.status = h('div', { id: 'hark-status', class: 'hark-status', role: 'status', 'aria-live': 'polite' });
		ui.captcha = h('div', { class: 'hark-captcha', hidden: true });
		ui.send = h('button', { type: 'submit', class: 'hark-btn hark-primary', text: t('send') });
		ui.close = h('button', { type: 'button', class: 'hark-x', 'aria-label': t('close'), text: '×', onclick: close });
		ui.form = h('form', { novalidate: true, onsubmit: submit }, [
		    h('div', { class: 'hark-head' }, [h('h2', { id: 'hark-title', text: t('title') }), ui.close]),
		    h('label', { for: 'hark-cat', text: t('category') }), ui.cat,
		    h('label', { for: 'hark-msg', text: t('message') }), ui.msg,
		    h('label', { for: 'hark-email', text: t('email') }), ui.email,
		    h('div', { class: 'hark-row' }, [ui.rec, ui.attach, ui.cap, ui.file]),
		    ui.audioBox, ui.shotBox, ui.captcha, ui.status,
		    h('div', { class: 'hark-foot' }, [ui.send])]);
		ui.dialog = h('div', { class: 'hark-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'hark-title', hidden: true, onkeydown: keys, onpaste: paste }, [ui.form]);
		ui.backdrop = h('div', { class: 'hark-backdrop', hidden: true, onclick: close });
		shell = h('div', { class: 'hark-shell', lang: L }, [ui.backdrop, ui.dialog]);
		C.css('hark-dialog.css', function () { styled = true; if (opened) show(); });
		root.appendChild(shell);
		canvasEvents();
	}
	function show() { ui.backdrop.hidden = false; ui.dialog.hidden = false; ui.msg.focus(); }
	function focusables() {
		return Array.prototype.filter.call(ui.dialog.querySelectorAll('button,select,textarea,input,audio,[tabindex="0"]'),
		    function (e) { return !e.disabled && e.tabIndex >= 0 && e.offsetParent !== null; });
	}
	function keys(e) {
		if (e.key === 'Escape') { e.preventDefault(); close(); return; }
		if (e.key !== 'Tab') return;
		var f = focusables(), a = C.host().root.activeElement;
		if (!f.length) return;
		if (e.shiftKey && a === f[0]) { e.preventDefault(); f[f.length - 1].focus(); }
		else if (!e.shiftKey && a === f[f.length - 1]) { e.preventDefault(); f[0].focus(); }
	}
	function open() {
		if (!shell) build();
		if (opened) return;
		opened = true;
		var sh = C.host();
		lastFocus = (d.activeElement === sh.host ? sh.root.activeElement : d.activeElement) || sh.button;
		// The context is what was there when the user opened the dialog.
		frozen = snapshot();
		if (sh.button) sh.button.setAttribute('aria-expanded', 'true');
		if (styled) show();
		ensureToken().then(captchaSetUp, function () {});
		C.emit('open');
	}
	function close() {
		if (!opened) return;
		opened = false;
		if (mr) mr.stop();
		ui.backdrop.hidden = true;
		ui.dialog.hidden = true;
		var sh = C.host();
		if (sh.button) sh.button.setAttribute('aria-expanded', 'false');
		if (lastFocus && lastFocus.focus) lastFocus.focus();
		C.emit('close');
	}
	function say(msg, kind) {
		ui.status.textContent = msg;
		ui.status.className = 'hark-status' + (kind ? ' hark-' + kind : '');
	}

	// ---- context
	var frozen = null;
	function snapshot() {
		var c = C.context;
		return {
			dom: null,
			console: C.buf.console.slice(-50),
			network: C.buf.network.slice(-10),
			device: {
				userAgent: navigator.userAgent, platform: navigator.platform || '', language: navigator.language || '',
				viewport: { width: w.innerWidth | 0, height: w.innerHeight | 0 },
				devicePixelRatio: w.devicePixelRatio || 1,
				timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || ''
			},
			page: { url: location.href.split('#')[0], referrer: d.referrer, title: d.title, customAttrs: JSON.parse(JSON.stringify(c)) },
			screenshotUrl: null,
			annotationLayer: null,
			capturedAt: new Date().toISOString()
		};
	}

	// ---- voice
	var mr = null, chunks = [], audio = null, audioMs = 0, t0 = 0, tick = 0, capTimer = 0;
	function clock(ms) { var s = Math.round(ms / 1000); return Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2); }
	function toggleRec() {
		if (mr) { mr.stop(); return; }
		if (!navigator.mediaDevices || !w.MediaRecorder) { say(t('micDenied'), 'error'); return; }
		navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
			var type = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'].filter(function (x) {
				return MediaRecorder.isTypeSupported(x);
			})[0];
			mr = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
			chunks = [];
			mr.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
			mr.onstop = function () {
				stream.getTracks().forEach(function (x) { x.stop(); });
				clearInterval(tick); clearTimeout(capTimer);
				audioMs = Date.now() - t0;
				audio = new Blob(chunks, { type: (mr.mimeType || type || 'audio/webm').split(';')[0] });
				mr = null;
				ui.rec.setAttribute('aria-pressed', 'false');
				ui.rec.textContent = t('record');
				ui.timer.textContent = t('recorded', { t: clock(audioMs) });
				if (ui.audio.src) URL.revokeObjectURL(ui.audio.src);
				ui.audio.src = URL.createObjectURL(audio);
				ui.audio.hidden = false;
			};
			t0 = Date.now();
			mr.start(250);
			ui.rec.setAttribute('aria-pressed', 'true');
			ui.rec.textContent = t('stop');
			ui.audio.hidden = true;
			ui.audioBox.hidden = false;
			var upd = function () { ui.timer.textContent = t('recording', { t: clock(Date.now() - t0), max: clock(MAX_AUDIO_S * 1000) }); };
			upd();
			tick = setInterval(upd, 500);
			capTimer = setTimeout(function () { if (mr) mr.stop(); }, MAX_AUDIO_S * 1000);
		}, function () { say(t('micDenied'), 'error'); });
	}
	function dropAudio() {
		if (mr) mr.stop();
		audio = null; audioMs = 0;
		ui.audioBox.hidden = true;
		ui.rec.focus();
	}

	// ---- screenshot: a file, a paste or getDisplayMedia; black boxes drawn on it
	var img = null, rects = [], drag = null, box = null, boxOn = false;
	function shot(blob) {
		var u = URL.createObjectURL(blob), i = new Image();
		i.onload = function () {
			img = i; rects = []; box = null;
			var s = Math.min(1, 2560 / Math.max(i.naturalWidth, i.naturalHeight));
			ui.canvas.width = Math.round(i.naturalWidth * s);
			ui.canvas.height = Math.round(i.naturalHeight * s);
			ui.shotBox.hidden = false;
			paint();
		};
		i.onerror = function () { URL.revokeObjectURL(u); say(t('shotFailed'), 'error'); };
		i.src = u;
	}
	function paint() {
		if (!img) return;
		var g = ui.canvas.getContext('2d');
		g.drawImage(img, 0, 0, ui.canvas.width, ui.canvas.height);
		g.fillStyle = '#000';
		rects.concat(drag ? [drag] : []).forEach(function (r) {
			g.fillRect(Math.min(r.x, r.x2), Math.min(r.y, r.y2), Math.abs(r.x2 - r.x), Math.abs(r.y2 - r.y));
		});
		// The keyboard's box, outlined while the preview has focus only
		// (never in the PNG: it is painted away before the upload).
		if (boxOn && box) {
			var lw = Math.max(2, Math.round(ui.canvas.width / 300));
			g.lineWidth = lw;
			g.strokeStyle = '#000';
			g.strokeRect(box.x, box.y, box.x2 - box.x, box.y2 - box.y);
			g.strokeStyle = '#ffeb3b';
			g.strokeRect(box.x + lw, box.y + lw, box.x2 - box.x - 2 * lw, box.y2 - box.y - 2 * lw);
		}
	}
	function boxKeys(e) {
		var W = ui.canvas.width, Hh = ui.canvas.height, st = Math.max(4, Math.round(W / 40)), dx = 0, dy = 0;
		if (!box) return;
		if (e.key === 'Enter' || e.key === ' ') {
			rects.push({ x: box.x, y: box.y, x2: box.x2, y2: box.y2 });
			e.preventDefault();
			paint();
			return;
		}
		if (e.key === 'ArrowLeft') dx = -st;
		else if (e.key === 'ArrowRight') dx = st;
		else if (e.key === 'ArrowUp') dy = -st;
		else if (e.key === 'ArrowDown') dy = st;
		else return;
		e.preventDefault();
		if (e.shiftKey) {
			box.x2 = Math.min(W, Math.max(box.x + st, box.x2 + dx));
			box.y2 = Math.min(Hh, Math.max(box.y + st, box.y2 + dy));
		} else {
			dx = Math.min(W - box.x2, Math.max(-box.x, dx));
			dy = Math.min(Hh - box.y2, Math.max(-box.y, dy));
			box.x += dx; box.x2 += dx; box.y += dy; box.y2 += dy;
		}
		paint();
	}
	function at(e) {
		var b = ui.canvas.getBoundingClientRect();
		return { x: (e.clientX - b.left) * ui.canvas.width / b.width, y: (e.clientY - b.top) * ui.canvas.height / b.height };
	}
	function canvasEvents() {
		var c = ui.canvas;
		c.addEventListener('pointerdown', function (e) {
			var p = at(e);
			drag = { x: p.x, y: p.y, x2: p.x, y2: p.y };
			c.setPointerCapture(e.pointerId);
		});
		c.addEventListener('pointermove', function (e) {
			if (!drag) return;
			var p = at(e);
			drag.x2 = p.x; drag.y2 = p.y;
			paint();
		});
		c.addEventListener('focus', function () {
			var W = c.width, Hh = c.height;
			if (!box) box = { x: Math.round(W * 0.4), y: Math.round(Hh * 0.4), x2: Math.round(W * 0.6), y2: Math.round(Hh * 0.6) };
			boxOn = true;
			paint();
		});
		c.addEventListener('blur', function () { boxOn = false; paint(); });
		c.addEventListener('keydown', boxKeys);
		c.addEventListener('pointerup', function () {
			if (drag && Math.abs(drag.x2 - drag.x) > 1 && Math.abs(drag.y2 - drag.y) > 1) rects.push(drag);
			drag = null;
			paint();
		});
	}
	function paste(e) {
		var items = (e.clipboardData && e.clipboardData.items) || [];
		for (var i = 0; i < items.length; i++)
			if (items[i].type.indexOf('image/') === 0) { shot(items[i].getAsFile()); e.preventDefault(); return; }
	}
	function capture() {
		navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
			var v = d.createElement('video');
			v.muted = true;
			v.srcObject = stream;
			return v.play().then(function () {
				var c = d.createElement('canvas');
				c.width = v.videoWidth; c.height = v.videoHeight;
				c.getContext('2d').drawImage(v, 0, 0);
				stream.getTracks().forEach(function (x) { x.stop(); });
				c.toBlob(function (b) { if (b) shot(b); }, 'image/png');
			});
		}).catch(function () { /* the user said no */ });
	}
	function dropShot() { img = null; rects = []; ui.shotBox.hidden = true; ui.attach.focus(); }

	// ---- token: bootstrap, refreshed a minute before it expires
	var tok = null, tokP = null, boot = null, refresh = 0;
	function ensureToken(force) {
		if (!force && tok && tok.exp - 60 > Date.now() / 1000) return Promise.resolve(tok.token);
		if (tokP) return tokP;
		tokP = fetchN(cfg.endpoint + '/feedback/widget/bootstrap?publicKey=' + encodeURIComponent(cfg.publicKey),
		    { mode: 'cors', credentials: 'omit' }).then(function (r) {
			return r.json().then(function (j) {
				if (!r.ok || !j.success) throw answerError(r, j);
				boot = j.data;
				tok = { token: j.data.token, exp: +j.data.expiresAt };
				clearTimeout(refresh);
				var ms = (tok.exp - 60) * 1000 - Date.now();
				if (opened && ms > 0 && ms < 2147483647) refresh = setTimeout(function () { if (opened) ensureToken(true); }, ms);
				return tok.token;
			});
		}).then(function (x) { tokP = null; return x; }, function (e) { tokP = null; throw e; });
		return tokP;
	}

	// ---- captcha (hCaptcha or Turnstile), when the source requires it
	var captchaToken = '', captchaState = 0;
	function captchaSetUp() {
		var c = boot && boot.config;
		if (!c || !c.requireCaptcha || captchaState) return;
		captchaState = 1;
		var ts = c.captchaProvider === 'turnstile', cb = '__harkCaptcha' + Date.now();
		ui.captcha.hidden = false;
		w[cb] = function () {
			var api = ts ? w.turnstile : w.hcaptcha;
			api.render(ui.captcha, { sitekey: c.siteKey, callback: function (x) { captchaToken = x; } });
		};
		var s = d.createElement('script');
		s.src = ts ? 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit&onload=' + cb :
		    'https://js.hcaptcha.com/1/api.js?render=explicit&onload=' + cb;
		if (cfg.nonce) s.nonce = cfg.nonce;
		s.async = true;
		d.head.appendChild(s);
	}

	// ---- sending
	function uuid4() {
		var b = crypto.getRandomValues(new Uint8Array(16)), x = '', i;
		b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
		for (i = 0; i < 16; i++) x += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i] + 256).toString(16).slice(1);
		return x;
	}
	// The session: an RFC 9562 UUID v7, kept for the tab.
	function session() {
		var s;
		try { s = sessionStorage.getItem('hark:sid'); } catch (e) { /* none */ }
		if (s) return s;
		var b = crypto.getRandomValues(new Uint8Array(16)), ms = Date.now(), i, x = '';
		for (i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
		b[6] = b[6] & 15 | 112; b[8] = b[8] & 63 | 128;
		for (i = 0; i < 16; i++) x += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i] + 256).toString(16).slice(1);
		try { sessionStorage.setItem('hark:sid', x); } catch (e) { /* none */ }
		return x;
	}
	function answerError(r, j) {
		var e = new Error((j && j.error && j.error.message) || ('HTTP ' + r.status));
		e.status = r.status;
		e.code = j && j.error && j.error.code;
		e.retryAfter = +(r.headers.get('Retry-After') || 0);
		return e;
	}
	// One attempt: resolves with the answer's data on 2xx; rejects with
	// e.status (0 for a network failure or a blocked request).
	function attempt(item, retried) {
		return ensureToken().then(function (token) {
			var url, init, hd = { 'Idempotency-Key': item.id };
			if (!item.audio && !item.shot) {
				var b = { publicKey: cfg.publicKey, token: token }, k;
				for (k in item.body) b[k] = item.body[k];
				if (captchaToken) b.captchaToken = captchaToken;
				// Ingest takes 64 KiB of JSON: the oldest console entries go first.
				b.context = JSON.parse(JSON.stringify(b.context));
				while (JSON.stringify(b).length > 60000 && b.context.console.length) b.context.console.shift();
				hd['Content-Type'] = 'application/json';
				url = cfg.endpoint + '/feedback/ingest';
				init = { method: 'POST', headers: hd, body: JSON.stringify(b) };
			} else {
				var f = new FormData(), p = item.body;
				f.append('payload', JSON.stringify({
					sessionId: p.sessionId, transcript: p.message, context: p.context, identity: p.identity,
					audioDurationMs: item.audio ? item.audioMs : undefined, category: p.category, locale: p.locale, email: p.email
				}));
				if (item.audio) f.append('audio', item.audio, 'voice.' + (/mp4/.test(item.audio.type) ? 'm4a' : 'webm'));
				if (item.shot) f.append('screenshot', item.shot, 'screenshot.png');
				hd['X-Hark-Public-Key'] = cfg.publicKey;
				hd['X-Hark-Token'] = token;
				url = cfg.endpoint + '/v1/feedback';
				init = { method: 'POST', headers: hd, body: f };
			}
			init.mode = 'cors';
			init.credentials = 'omit';
			return fetchN(url, init).then(function (r) {
				return r.text().then(function (s) {
					var j = null;
					try { j = JSON.parse(s); } catch (e) { /* not JSON: a proxy's page */ }
					if (r.ok) return j;
					var err = answerError(r, j);
					// Our token expired or rotated: a new one, once.
					if (r.status === 401 && !retried) { tok = null; return attempt(item, true); }
					// The key is this item's alone: a 422 reuse or a 409
					// duplicate means an earlier try of it was stored.
					if (r.status === 422 && err.code === 'idempotency_key_reused') return j;
					if (r.status === 409 && err.code === 'duplicate') return j;
					throw err;
				});
			});
		}, function (e) {
			if (e.status === undefined) e.status = 0;
			throw e;
		}).catch(function (e) {
			if (e.status === undefined) e.status = 0;	// fetch's TypeError
			throw e;
		});
	}
	function retryable(e) { return !e.status || e.status >= 500 || e.status === 408 || (e.status === 409 && e.code === 'idempotency_key_in_flight'); }

	// ---- the queue: IndexedDB, else localStorage (audio up to a cap)
	var idb = null;
	function db() {
		if (idb) return idb;
		idb = new Promise(function (ok, bad) {
			if (!w.indexedDB) return bad(new Error('no indexedDB'));
			var r = indexedDB.open('hark', 1);
			r.onupgradeneeded = function () { r.result.createObjectStore('q', { keyPath: 'id' }); };
			r.onsuccess = function () { ok(r.result); };
			r.onerror = function () { bad(r.error); };
		});
		return idb;
	}
	function tx(mode, fn) {
		return db().then(function (x) {
			return new Promise(function (ok, bad) {
				var s = x.transaction('q', mode), st = s.objectStore('q'), res = fn(st);
				s.oncomplete = function () { ok(res && res.result); };
				s.onerror = function () { bad(s.error); };
			});
		});
	}
	function lsAll() { try { return JSON.parse(localStorage.getItem('hark:q') || '[]'); } catch (e) { return []; } }
	function lsSet(a) { try { localStorage.setItem('hark:q', JSON.stringify(a)); } catch (e) { /* full: best effort */ } }
	function count(n) { try { if (n > 0) localStorage.setItem('hark:n', n); else localStorage.removeItem('hark:n'); } catch (e) { /* none */ } }
	function toData(b) {
		return !b ? Promise.resolve(null) : new Promise(function (ok) {
			var r = new FileReader();
			r.onload = function () { ok(r.result); };
			r.readAsDataURL(b);
		});
	}
	function fromData(s) {
		if (!s) return null;
		var m = /^data:([^;,]*)[^,]*,(.*)$/.exec(s), bin = atob(m[2]), a = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
		return new Blob([a], { type: m[1] });
	}
	function qall() {
		return tx('readonly', function (s) { return s.getAll(); }).catch(function () {
			return lsAll().map(function (x) { x.audio = fromData(x.audio); x.shot = fromData(x.shot); return x; });
		});
	}
	function qput(item) {
		return tx('readwrite', function (s) { s.put(item); }).catch(function () {
			return Promise.all([item.audio && item.audio.size <= QUEUE_AUDIO_CAP ? toData(item.audio) : null, toData(item.shot)]).then(function (v) {
				var a = lsAll().filter(function (x) { return x.id !== item.id; }), c = {}, k;
				for (k in item) c[k] = item[k];
				c.audio = v[0]; c.shot = v[1];
				a.push(c);
				lsSet(a);
			});
		}).then(recount);
	}
	function qdel(id) {
		return tx('readwrite', function (s) { s.delete(id); }).catch(function () {
			lsSet(lsAll().filter(function (x) { return x.id !== id; }));
		}).then(recount);
	}
	function recount() { return qall().then(function (a) { count(a.length); return a.length; }); }

	var flushing = null, backoff = 0, retryTimer = 0, inFlight = {};
	function later(tries) {
		clearTimeout(retryTimer);
		backoff = Math.min(300000, 1000 * Math.pow(2, Math.min(tries, 8)));
		retryTimer = setTimeout(flush, backoff * (0.75 + Math.random() / 2));
	}
	// Sends what is queued, oldest first; one run at a time.
	function flush() {
		if (flushing) return flushing;
		flushing = qall().then(function (items) {
			items.sort(function (a, b) { return a.at - b.at; });
			return items.reduce(function (p, item) {
				return p.then(function () { return deliver(item, false); });
			}, Promise.resolve());
		}).then(function () { flushing = null; }, function () { flushing = null; });
		return flushing;
	}
	// One item: sent, dropped (a 4xx that a retry cannot change) or kept.
	function deliver(item, fromUi) {
		if (inFlight[item.id]) return inFlight[item.id];
		if (Date.now() - item.at > QUEUE_MAX_AGE)
			return qdel(item.id).then(function () {
				C.emit('error', { code: 'expired', status: 0, queued: false, message: 'not delivered within a week: dropped' });
				return { error: { status: 0 } };
			});
		var p = attempt(item).then(function (data) {
			return qdel(item.id).then(function () {
				C.emit('submitted', { id: data && (data.data ? data.data.id : data.id), idempotencyKey: item.id, queued: !fromUi });
				return { ok: true, data: data };
			});
		}, function (e) {
			if (retryable(e)) {
				item.tries = (item.tries || 0) + 1;
				return qput(item).then(function () {
					later(item.tries);
					C.emit('error', { code: e.code || 'network', status: e.status, queued: true, message: e.message });
					return { queued: true, error: e };
				});
			}
			return qdel(item.id).then(function () {
				C.emit('error', { code: e.code, status: e.status, queued: false, message: e.message, retryAfter: e.retryAfter });
				return { error: e };
			});
		});
		inFlight[item.id] = p;
		return p.then(function (x) { delete inFlight[item.id]; return x; });
	}

	function submit(e) {
		e.preventDefault();
		var msg = ui.msg.value.trim();
		if (!msg && !audio) { say(t('empty'), 'error'); ui.msg.focus(); return; }
		if (boot && boot.config && boot.config.requireCaptcha && !captchaToken) { say(t('captcha'), 'error'); return; }
		var who = C.identity, email = ui.email.value.trim() || (who && who.email) || undefined;
		var identity = who || email ? { userId: who && who.userId, email: email, name: who && who.name, traits: who && who.traits } : null;
		var item = {
			id: uuid4(), at: Date.now(), tries: 0, audio: audio, audioMs: audioMs, shot: null,
			body: {
				message: msg, category: ui.cat.value, email: email, pageUrl: location.href.split('#')[0].slice(0, 2048),
				locale: navigator.language || undefined, sessionId: session(), context: frozen || snapshot(), identity: identity
			}
		};
		ui.send.disabled = true;
		say(t('sending'));
		boxOn = false;
		paint();
		var shotP = img ? new Promise(function (ok) { ui.canvas.toBlob(ok, 'image/png'); }) : Promise.resolve(null);
		shotP.then(function (b) {
			item.shot = b;
			// Kept first, so a page closed mid-send loses nothing.
			return qput(item).catch(function () { /* no storage at all: send anyway */ });
		}).then(function () {
			return deliver(item, true);
		}).then(function (r) {
			ui.send.disabled = false;
			if (r.ok || r.queued) {
				say(r.ok ? t('thanks') : t('queued'), r.ok ? 'ok' : 'queued');
				ui.msg.value = ''; ui.email.value = '';
				dropAudio(); dropShot(); ui.cat.value = 'other';
				ui.msg.focus();
				frozen = snapshot();
				return;
			}
			var x = r.error;
			say(x.status === 413 ? t('tooLarge') : x.status === 429 ? t('tooMany', { n: x.retryAfter || 60 }) :
			    t('refused', { m: x.message }), 'error');
			ui.msg.focus();
		});
	}

	H._ready({ open: open, close: close, flush: flush });
})(window, document, window.Hark);
