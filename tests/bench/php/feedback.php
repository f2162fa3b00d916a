<?php
// feedback.php: the PHP-FPM peer of hark's POST /v1/feedback in tests/bench/ingest.
//
// What a careful PHP service would do for the same submission, and no more:
// the JSON body parsed, the seed's fields checked as hark's create schema
// checks them (fcgi/handlers/feedback.c: projectId, text, page, userEmail,
// metadata; unknown members kept as extra), one prepared INSERT into a
// table made by hark's own schema/ in a database of its own, over a
// persistent mysqli connection with autocommit (one durable commit per
// row, as hark), and 201 with the new id.  No key check and no triage:
// hark does both, so the peer's figure is, if anything, flattering to PHP.
// The connection comes from the pool's env[] (tests/bench/ingest).

declare(strict_types=1);

function answer(int $status, array $body, array $headers = []): void
{
	http_response_code($status);
	header('Content-Type: application/json; charset=utf-8');
	foreach ($headers as $h)
		header($h);
	echo json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

function refuse(int $status, string $code, ?string $field, string $message): void
{
	$e = ['code' => $code, 'message' => $message];
	if ($field !== null)
		$e['field'] = $field;
	answer($status, ['error' => $e]);
}

// Characters, not bytes, as hark counts them (the body is valid UTF-8 by
// now: json_decode refuses anything else).  No mbstring needed.
function chars(string $s): int
{
	return strlen($s) - preg_match_all('/[\x80-\xBF]/', $s);
}

// A nullable string member: null when absent or null; false after refusing.
function opt_string(array $in, string $name, int $max_bytes, int $max_chars = 0)
{
	if (!array_key_exists($name, $in) || $in[$name] === null)
		return null;
	if (!is_string($in[$name])) {
		refuse(400, 'validation_failed', $name, "$name must be a string");
		return false;
	}
	$v = $in[$name];
	if (($max_bytes > 0 && strlen($v) > $max_bytes) ||
	    ($max_chars > 0 && chars($v) > $max_chars)) {
		refuse(400, 'validation_failed', $name, "$name is too long");
		return false;
	}
	return $v;
}

function main(): void
{
	if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
		refuse(405, 'method_not_allowed', null, 'POST only');
		return;
	}
	$ct = strtolower(trim(explode(';', $_SERVER['CONTENT_TYPE'] ?? '')[0]));
	if ($ct !== 'application/json') {
		refuse(415, 'unsupported_media_type', null, 'send application/json');
		return;
	}
	$raw = file_get_contents('php://input');
	if ($raw === false || strlen($raw) > 65536) {
		refuse(413, 'payload_too_large', null, 'the body is over 64K');
		return;
	}
	try {
		$in = json_decode($raw, true, 32, JSON_THROW_ON_ERROR);
	} catch (JsonException $e) {
		refuse(400, 'invalid_json', null, 'the body is not JSON');
		return;
	}
	if (!is_array($in) || ($in !== [] && array_is_list($in))) {
		refuse(400, 'invalid_json', null, 'the body must be a JSON object');
		return;
	}
	if (($project = opt_string($in, 'projectId', 0, 64)) === false)
		return;
	if (!isset($in['text']) || !is_string($in['text'])) {
		refuse(400, 'validation_failed', 'text', 'text is required');
		return;
	}
	$text = trim($in['text']);
	if ($text === '' || chars($in['text']) > 5000) {
		refuse(400, 'validation_failed', 'text',
		    'text must be 1 to 5000 characters');
		return;
	}
	if (($page = opt_string($in, 'page', 2048)) === false)
		return;
	if (($email = opt_string($in, 'userEmail', 254)) === false)
		return;
	if ($email !== null && filter_var($email, FILTER_VALIDATE_EMAIL) === false) {
		refuse(400, 'validation_failed', 'userEmail',
		    'userEmail must be a valid email address');
		return;
	}
	$metadata = null;
	if (isset($in['metadata'])) {
		if (!is_array($in['metadata']) ||
		    ($in['metadata'] !== [] && array_is_list($in['metadata']))) {
			refuse(400, 'validation_failed', 'metadata',
			    'metadata must be an object');
			return;
		}
		$metadata = json_encode($in['metadata'], JSON_UNESCAPED_SLASHES);
		if (strlen($metadata) > 16384) {
			refuse(400, 'validation_failed', 'metadata',
			    'metadata is over 16384 bytes');
			return;
		}
	}
	$known = ['projectId' => 1, 'text' => 1, 'page' => 1, 'userEmail' => 1,
	    'metadata' => 1];
	$extra = array_diff_key($in, $known);
	$extra = $extra === [] ? null : json_encode($extra, JSON_UNESCAPED_SLASHES);
	$project = $project ?? getenv('BENCH_PROJECT');
	if ($project !== getenv('BENCH_PROJECT')) {
		refuse(403, 'wrong_project', 'projectId', 'not this project');
		return;
	}

	// The same shape of id as hark's: a prefix and 26 random characters.
	$id = 'fb_' . substr(strtr(base64_encode(random_bytes(20)), '+/=', 'xyz'), 0, 26);
	try {
		// "p:" makes the connection persistent: one per FPM worker,
		// reused across requests, like hark's per-worker connection.
		$db = new mysqli('p:localhost', getenv('BENCH_DB_USER'),
		    getenv('BENCH_DB_PASSWORD'), getenv('BENCH_DB_NAME'), 0,
		    getenv('BENCH_DB_SOCKET'));
		// Prepared on each request: a statement does not outlive
		// the request in PHP, only the connection does.
		$st = $db->prepare('INSERT INTO feedback (id, project_id, ' .
			    'channel, text, page, user_email, metadata, extra, ' .
			    'status, created_at, updated_at) VALUES (?, ?, ' .
			    "'api', ?, ?, ?, ?, ?, 'new', UTC_TIMESTAMP(6), " .
			    'UTC_TIMESTAMP(6))');
		$st->bind_param('sssssss', $id, $project, $in['text'], $page,
		    $email, $metadata, $extra);
		$st->execute();
	} catch (mysqli_sql_exception $e) {
		error_log('feedback insert: ' . $e->getMessage());
		refuse(503, 'database_unavailable', null, 'retry shortly');
		return;
	}
	answer(201, ['id' => $id, 'status' => 'new'],
	    ["Location: /v1/feedback/$id"]);
}

main();
