#!/usr/bin/env bash
# Seeds every fuzz target's corpus (fuzz/corpus/<target>/) from the recorded fixtures.
# Corpora are not committed: run this once before fuzzing, and again after a fixture changes.
set -euo pipefail
cd "$(dirname "$0")"
core=../crates/august-core/tests/fixtures
auth=../crates/august-auth/tests/fixtures
authy=../crates/authy-client/tests/fixtures

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

for target in $(ls fuzz_targets | sed 's/\.rs$//'); do
  printf '%-28s %s seeds\n' "$target" "$(ls "corpus/$target" 2>/dev/null | wc -l)"
done
