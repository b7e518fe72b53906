#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 12, item 5): fuzzes every Jazzer target for FUZZ_SECONDS (default 60) each, in its
# own JVM (Jazzer fuzzes a single @FuzzTest per JVM), and fails when any target found something (an undeclared
# exception, a hang past its per-input timeout, an OutOfMemoryError under the bounded heap) OR did not actually fuzz
# (skipped, not run, no executions). Needs no services. Run after the build (.ci/run runs it after test.sh).
#
# A finding is written by Jazzer next to the target's committed inputs
# (<module>/src/test/resources/<package>/<Class>Inputs/<method>/crash-*, timeout-*, ...), so it becomes a regression
# input of the plain build once committed; this script also copies every new input to target/fuzz-findings/ and
# prints it as base64, so a CI log is enough to reproduce it.
#
# Environment: FUZZ_SECONDS (per target, default 60), FUZZ_HEAP (fuzzing JVM heap, default 512m),
#              FUZZ_TARGETS (space-separated simple class names, default all), MVN (default ./mvnw),
#              FUZZ_MAVEN_ARGS (more Maven arguments, e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."

# module:fully.qualified.Class (one @FuzzTest method per class)
all_targets=(
  "common:io.alveolus.common.fuzz.ImageInspectorFuzzTest"
  "interop:io.alveolus.interop.fuzz.DicomDecoderFuzzTest"
  "interop:io.alveolus.interop.fuzz.MultipartRelatedFuzzTest"
  "ingest-service:io.alveolus.ingest.rest.UploadFormFuzzTest"
)
seconds="${FUZZ_SECONDS:-60}"
heap="${FUZZ_HEAP:-512m}"
mvn_cmd=(${MVN:-./mvnw})

targets=()
for t in "${all_targets[@]}"; do
  if [[ -z "${FUZZ_TARGETS:-}" || " ${FUZZ_TARGETS} " == *" ${t##*.} "* ]]; then targets+=("$t"); fi
done
if (( ${#targets[@]} == 0 )); then echo "[fuzz] FUZZ_TARGETS matches no target" >&2; exit 2; fi

modules=()
classes=()
for t in "${targets[@]}"; do
  m="${t%%:*}"; c="${t#*:}"
  [[ " ${modules[*]-} " == *" $m "* ]] || modules+=("$m")
  classes+=("$c")
done
module_list="$(IFS=,; echo "${modules[*]}")"
test_list="$(IFS=,; echo "${classes[*]}")"

log() { echo "[fuzz] $*" >&2; }

# Reports of an earlier run must not count as this run's.
for t in "${targets[@]}"; do
  m="${t%%:*}"; c="${t#*:}"
  rm -f "$m/target/surefire-reports/TEST-$c.xml" "$m/target/surefire-reports/$c-output.txt" \
        "$m/target/surefire-reports/$c.txt"
done
inputs_before="$(mktemp)"
trap 'rm -f "$inputs_before"' EXIT
git ls-files --others --exclude-standard -- '*/src/test/resources/*Inputs/*' | sort > "$inputs_before" || true

mkdir -p target
log "fuzzing ${#targets[@]} target(s) for ${seconds}s each (heap $heap): ${test_list}"
start=$(date +%s)
set +e
# One Maven run; the fuzz profile forks a fresh JVM per test class. Test failures are judged below, per target, so that
# every target runs even when an earlier one found something.
"${mvn_cmd[@]}" -B --fail-at-end -P fuzz -pl "$module_list" -am test \
  -Dtest="$test_list" -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true \
  -Dfuzz.duration="${seconds}s" -Dfuzz.heap="$heap" ${FUZZ_MAVEN_ARGS:-} > target/fuzz-maven.log 2>&1
mvn_rc=$?
set -e
log "Maven exited $mvn_rc after $(( $(date +%s) - start ))s (log: target/fuzz-maven.log)"

failed=0
for t in "${targets[@]}"; do
  m="${t%%:*}"; c="${t#*:}"; name="${c##*.}"
  xml="$m/target/surefire-reports/TEST-$c.xml"
  # What the target's JVM wrote: libFuzzer writes to the process's stderr directly (Maven's log, from
  # "Running <class>" to the next class or the module's results, which hold the finding's stack trace), Java code to
  # the surefire output file.
  out="$(mktemp)"
  awk -v c="$c" 'on && (/\[INFO\] Running / || /Tests run:.*, Skipped: [0-9]+$/) {exit}
                 index($0, "Running " c) {on=1} on {print}' target/fuzz-maven.log > "$out"
  cat "$m/target/surefire-reports/$c-output.txt" >> "$out" 2>/dev/null || true
  if [[ ! -f "$xml" ]]; then
    # libFuzzer ends the JVM itself on a timeout (and on some crashes): then there is no report, only its message
    log "FAIL $name: no test report: the target did not run, or its JVM was ended (hang/crash):"
    grep -a -E -A20 'ERROR: libFuzzer|^== Java Exception|Test unit written|There was a timeout|terminated without' \
      "$out" | head -60 >&2 || true
    failed=1; rm -f "$out"; continue
  fi
  head_line="$(grep -m1 -o '<testsuite [^>]*>' "$xml")"
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<< "$head_line"; }
  tests="$(attr tests)"; failures="$(attr failures)"; errors="$(attr errors)"; skipped="$(attr skipped)"
  # libFuzzer's last lines: "#127691  DONE   cov: ..." and "Done 127691 runs in 61 second(s)"; on a finding there is
  # no DONE line, the last status line ("#1234  NEW ...") says how far it got
  runs="$(grep -a -o -E '^Done [0-9]+ runs' "$out" | tail -1 | grep -o -E '[0-9]+' || true)"
  last_exec="$(grep -a -o -E '^#[0-9]+' "$out" | tail -1 | tr -d '#' || true)"
  if [[ "${tests:-0}" == 0 || "${skipped:-1}" != 0 ]]; then
    log "FAIL $name: tests=${tests:-?} skipped=${skipped:-?}: the target did not fuzz"
    failed=1
  elif [[ "${failures:-1}" != 0 || "${errors:-1}" != 0 ]]; then
    log "FAIL $name: finding (failures=$failures errors=$errors) after ${last_exec:-?} executions:"
    grep -a -E -A4 '^Caused by|FuzzTestFindingException:|^== Java Exception|ERROR: libFuzzer|Test unit written' "$out" \
      | grep -a -v -E '^\s+at (java\.base|com\.code_intelligence)' | head -60 >&2 || true
    failed=1
  elif [[ -z "$runs" || "$runs" == 0 ]]; then
    log "FAIL $name: no executions reported: the target did not fuzz"
    failed=1
  else
    log "ok   $name: $runs executions, no finding"
  fi
  rm -f "$out"
done

# Inputs the fuzzer wrote next to the committed corpus during this run.
new_inputs="$(comm -13 "$inputs_before" \
  <(git ls-files --others --exclude-standard -- '*/src/test/resources/*Inputs/*' | sort) || true)"
if [[ -n "$new_inputs" ]]; then
  mkdir -p target/fuzz-findings
  log "new inputs found (commit them as regression inputs after fixing; copies in target/fuzz-findings/):"
  while IFS= read -r f; do
    cp "$f" target/fuzz-findings/
    size=$(stat -c %s "$f")
    log "  $f ($size bytes)"
    if (( size <= 65536 )); then echo "base64 $f: $(base64 -w0 "$f")" >&2; fi
  done <<< "$new_inputs"
fi

if (( mvn_rc != 0 && failed == 0 )); then
  log "FAIL: Maven failed outside the fuzz tests (see target/fuzz-maven.log)"
  tail -40 target/fuzz-maven.log >&2
  failed=1
fi
log "fuzzing took $(( $(date +%s) - start ))s"
exit "$failed"
