// Not a test: internal/app's webhook end-to-end test runs it to check every
// delivery its receiver got with the Standard Webhooks reference library
// (npm standardwebhooks), as a partner's Node app would. Reads
// {"secret", "deliveries": [{"id", "timestamp", "signature", "body"}]} on
// stdin; prints one {"id", "ok", "error"} per delivery as a JSON array.
import pkg from "standardwebhooks";

const { Webhook } = pkg;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, deliveries } = JSON.parse(input);
const wh = new Webhook(secret);
const out = deliveries.map((d) => {
  try {
    const payload = wh.verify(d.body, {
      "webhook-id": d.id,
      "webhook-timestamp": d.timestamp,
      "webhook-signature": d.signature,
    });
    return { id: d.id, ok: typeof payload === "object" && payload !== null && "type" in payload };
  } catch (e) {
    return { id: d.id, ok: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(out));
