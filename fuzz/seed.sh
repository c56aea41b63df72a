#!/usr/bin/env bash
# Seeds every fuzz target's corpus (fuzz/corpus/<target>/) from the recorded fixtures.
# Corpora are not committed: run this once before fuzzing, and again after a fixture changes.
set -euo pipefail
cd "$(dirname "$0")"
core=../crates/august-core/tests/fixtures
auth=../crates/august-auth/tests/fixtures
authy=../crates/authy-client/tests/fixtures
verify=../crates/twilio-verify/tests/fixtures
live=../crates/august-live/tests/fixtures

# copy TARGET FILE...: copies the files into the target's corpus, named after themselves.
copy() {
  local target=$1; shift
  mkdir -p "corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "corpus/$target/$(basename "$f")"
  done
}

# put TARGET NAME CONTENT: writes one seed.
put() {
  mkdir -p "corpus/$1"
  printf '%s' "$3" > "corpus/$1/$2"
}

copy lock_detail "$core"/get_lock.*.json
copy doorbell_detail "$core"/get_doorbell*.json
copy activity_feed "$core"/get_house_activities.json
# Single activities become one-element feeds.
for f in "$core"/*_activity*.json; do
  put activity_feed "feed_$(basename "$f")" "[$(cat "$f")]"
done
copy lock_list "$core"/get_locks.json "$core"/get_doorbells.json
copy pins "$core"/get_pins.json
copy remote_operation "$core"/lock.json "$core"/unlock.json "$core"/lock_without_doorstate.json \
  "$core"/unlock_without_doorstate.json
put remote_operation status.json '{"status": "kAugLockState_Locked", "doorState": "kAugLockDoorState_Closed"}'

# HTTP targets: a status byte, a content-type byte, then the body.
# http TARGET NAME STATUS_BYTE TYPE_BYTE BODY_FILE_OR_TEXT
http() {
  mkdir -p "corpus/$1"
  {
    printf "$(printf '\\x%02x\\x%02x' "$3" "$4")"
    if [ -f "$5" ]; then cat "$5"; else printf '%s' "$5"; fi
  } > "corpus/$1/$2"
}
http session ok.bin 0 0 '{"expiresAt":"2020-03-06T22:55:12.002Z","vPassword":true,"vInstallId":false,"hasInstallId":true}'
http session refused.bin 4 0 '{"code":401,"message":"wrong password"}'
http session html.bin 5 1 '<html><body>403 Forbidden</body></html>'
http august_errors ok.bin 0 0 "$core"/get_lock.online.json
http august_errors limited.bin 7 0 '{"code":429,"message":"slow down"}'
http august_errors html.bin 5 1 '<html><body>403 Forbidden</body></html>'
i=0
for f in "$authy"/*.json; do
  case $(basename "$f") in onetouch_callback_*|onetouch_signature_*) continue ;; esac
  i=$((i + 1))
  # Status 200 for the *_ok files, else one of the others; the second byte picks the content
  # type (modulo 3) and the call (divided by 3, modulo 3).
  case $(basename "$f") in *_ok*) status=0 ;; *) status=$((3 + i % 9)) ;; esac
  http authy_errors "$(basename "$f" .json).bin" "$status" "$((i % 9))" "$f"
done

copy cache_file "$auth"/*.json
for f in "$auth"/*.json; do
  token=$(grep -o '"access_token": "[^"]*"' "$f" | sed 's/.*: "//; s/"$//' || true)
  [ -n "$token" ] && put jwt "$(basename "$f" .json).txt" "$token"
done
put jwt spec.txt 'e30=.eyJleHAiOjEzMzd9.e30='
put jwt fractional.txt 'e30.eyJleHAiOjEzMzcuNX0.c2ln'

copy signature_params "$authy"/onetouch_callback_*.json "$authy"/onetouch_signature_*.json
put signature_params nested.json '{"foo": {"bar": {"biz": "foo bar"}}, "qux": "net", "list": [1, {"a": null}, true]}'
put signature_query approved.txt 'authy_id=688611&callback_action=approval_request_status&status=approved&uuid=4a725520&approval_request[logos][][res]=default&approval_request[logos][][url]=https%3A%2F%2Fexample.com%2Flogo.png'
put signature_query plain.txt '?a=1&b=two+words&c=%5B0%5D'

copy authy_user "$authy"/users_create_*.json
copy authy_user_status "$authy"/users_status_*.json
copy authy_confirmation "$authy"/users_delete_*.json "$authy"/users_register_activity_*.json \
  "$authy"/phones_verification_check_*.json
copy authy_token_delivery "$authy"/users_request_sms_*.json "$authy"/users_request_call_*.json
copy authy_qr_code "$authy"/users_generate_qr_*.json
put authy_registration_status completed.json '{"message": "Registration status.", "status": "completed", "success": true}'
copy authy_token_verification "$authy"/tokens_verify_*.json
copy authy_app "$authy"/app_details_*.json
copy authy_stats "$authy"/app_stats_*.json
copy authy_phone_info "$authy"/phones_info_*.json
copy authy_phone_verification "$authy"/phones_verification_start_*.json
copy authy_approval_created "$authy"/onetouch_create_*.json
copy authy_approval_status "$authy"/onetouch_status_*.json
# Error bodies are seeds for every Authy reader.
for target in corpus/authy_*; do
  [ "$target" = corpus/authy_errors ] && continue
  copy "$(basename "$target")" "$authy"/error_*.json
done

# Twilio Verify: every recorded answer is a seed for every model; the errors target gets each
# with a status that fits it (200 for answers, the error's own status for errors).
copy verify_models "$verify"/*.json
put verify_models sid.txt '"VA00000000000000000000000000000001"'
put verify_models channel.txt '"SMS"'
put verify_models identity.txt 'ff483d1ff591898a9942916050d2ca3f'
i=0
for f in "$verify"/*.json; do
  name=$(basename "$f" .json)
  case $name in webhook_signature_*) continue ;; esac
  i=$((i + 1))
  # The second byte picks the content type (modulo 3) and the call (divided by 3, modulo 3):
  # 0 a check, 3 a fetch, 6 a list.
  case $name in
    verification_check_*) call=0 ;;
    service_*) call=3 ;;
    *_list_*|entity_*) call=6 ;;
    *) call=$(( (i % 3) * 3 )) ;;
  esac
  case $name in
    error_20003_*) status=4 ;;
    error_20404_*) status=6 ;;
    error_20429_*|error_60203_*) status=7 ;;
    error_*) status=3 ;;
    *) status=0 ;;
  esac
  http verify_errors "$name.bin" "$status" "$call" "$f"
done
# A list whose next page is on the stub itself (`http://stub` stands for its URL).
http verify_errors next_page.bin 0 6 "$(sed 's#"next_page_url": *"[^"]*"#"next_page_url": "http://stub/v2/Services/VA00000000000000000000000000000001/Entities?PageSize=1\&Page=1"#' "$verify"/entities_list_page_with_next.json)"
# The signature vectors as `URL\nform body`.
jq -r '.vectors[] | select(.params != null) | [.name, .url + "\n" + (.params | to_entries | map("\(.key)=\(.value | @uri)") | join("&"))] | @tsv' \
  "$verify"/webhook_signature_vectors.json | while IFS=$'\t' read -r name text; do
  put verify_signature "$name.txt" "$(printf '%b' "$text")"
done
put verify_signature repeated.txt "$(printf 'https://mycompany.com/myapp.php?foo=1&bar=2\nSid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234')"
put verify_signature json.txt "$(printf 'https://example.com:443/hook?bodySHA256=x\n{"type":"challenge.approved"}')"

# Live events: the PubNub messages' payloads and the Socket.IO events' data.
for f in "$live"/pubnub_subscribe_*.json; do
  n=0
  while read -r payload; do
    n=$((n + 1))
    put live_convert "$(basename "$f" .json)_$n.json" "$payload"
  done < <(jq -c '.m[]?.d' "$f")
done
n=0
while read -r payload; do
  n=$((n + 1))
  put live_convert "socketio_$n.json" "$payload"
done < <(jq -r '.frames[] | select(.from == "server") | .text | select(startswith("42")) | .[2:]' \
  "$live"/socketio_session.json | jq -c '.[1]? // empty')

# OAuth token answers (second byte 0: a code exchange, 3: a refresh, 6: a redirect).
http oauth_token tokens.bin 0 0 '{"access_token":"a.b.c","refresh_token":"r1","token_type":"Bearer","expires_in":3600}'
http oauth_token refreshed.bin 0 3 '{"access_token":"a.b.c","expires_in":"86400","expires_at":1768471200}'
http oauth_token empty_refresh.bin 0 3 '{"access_token":"a.b.c","refresh_token":""}'
http oauth_token invalid_grant.bin 3 0 '{"error":"invalid_grant","error_description":"the code was used"}'
http oauth_token html.bin 5 1 '<html><body>403 Forbidden</body></html>'
http oauth_token redirect.bin 0 6 'http://127.0.0.1:1/callback?code=abc&state=STATE'
http oauth_token denied.bin 0 6 '?error=access_denied&error_description=no&state=STATE'

for target in $(ls fuzz_targets | sed 's/\.rs$//'); do
  printf '%-28s %s seeds\n' "$target" "$(ls "corpus/$target" 2>/dev/null | wc -l)"
done
