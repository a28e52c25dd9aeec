<?php
// Send one WhatsApp message with PHP curl. BASE_URL and API_KEY from the environment.
$ch = curl_init(getenv('BASE_URL') . '/api/whatsapp/send');
curl_setopt_array($ch, [
    CURLOPT_POST => true,
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_HTTPHEADER => ['X-API-Key: ' . getenv('API_KEY'), 'Content-Type: application/json'],
    CURLOPT_POSTFIELDS => json_encode(['recipient' => '+22370123456', 'message' => 'Hello from PHP']),
]);
$body = curl_exec($ch);
$status = curl_getinfo($ch, CURLINFO_HTTP_CODE);
curl_close($ch);
echo $body, PHP_EOL;
exit($status === 200 ? 0 : 1);
