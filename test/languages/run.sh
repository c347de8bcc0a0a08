#!/usr/bin/env bash
# `npm run test:languages`: the packages `npm run package` wrote, installed into a fresh environment
# per language with cdk8s and cdk8s-plus-27 from that language's registry (PyPI; Maven Central for
# cdk8s; for what this machine's Maven Central and Go proxy lack, the bindings in packages/), run the
# same app as test/languages/app.ts, whose YAML each must print byte for byte. Python must also get
# the rule error of `--broken` as an exception carrying the TypeScript message.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
packages=$repo/packages
[ -f "$packages/js/.jsii" ] || ls "$packages"/python/*.whl > /dev/null 2>&1 || { echo "test:languages: no packages/: run 'npm run package' first" >&2; exit 1; }
version=$(node -p "require('./package.json').version")
work=$(mktemp -d)
touch "$work/log"
# On failure, what the apps printed besides their YAML (warnings, jsii's notices, errors).
trap 'status=$?; [ "$status" -eq 0 ] || tail -40 "$work/log" >&2; rm -rf "$work"' EXIT
start=$SECONDS
failed=0

# Runs "$@" and says how long it took.
timed() {
  local name=$1 began=$SECONDS
  shift
  "$@"
  echo "test:languages: $name in $((SECONDS - began)) s"
}

# Compares one language's output with TypeScript's.
check() {
  local what=$1 expected=$2 actual=$3
  if cmp -s "$expected" "$actual"; then
    echo "test:languages: $what is the same as TypeScript's, byte for byte"
  else
    echo "test:languages: $what differs from TypeScript's:" >&2
    diff "$expected" "$actual" | head -40 >&2 || true
    failed=1
  fi
}

typescript() {
  node --import tsx test/languages/app.ts > "$work/expected.yaml" 2>> "$work/log"
  node --import tsx test/languages/app.ts --broken > "$work/expected-error.txt" 2>> "$work/log"
  node --import tsx test/languages/app.ts --include > "$work/expected-include.yaml" 2>> "$work/log"
}

python() {
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "$packages"/python/*.whl
  "$work/venv/bin/python" test/languages/python/app.py > "$work/python.yaml" 2>> "$work/log"
  "$work/venv/bin/python" test/languages/python/app.py --broken > "$work/python-error.txt" 2>> "$work/log"
  "$work/venv/bin/python" test/languages/python/app.py --include > "$work/python-include.yaml" 2>> "$work/log"
}

java() {
  cp -r test/languages/java "$work/java"
  # Maven never fetches a release again once cached: drop the copies of packages/java's artifacts.
  local repository
  repository=$(sed -n 's/.*-Dmaven\.repo\.local=\([^ ]*\).*/\1/p' <<< "${MAVEN_OPTS:-}")
  repository=${repository:-$HOME/.m2/repository}
  rm -rf "$repository/io/github/cdk8s-multi-container-patterns" "$repository/org/cdk8s/cdk8s-plus-27"
  mvn --batch-mode --quiet -f "$work/java/pom.xml" -Dpackages="$packages" -Dversion="$version" compile exec:java -Dexec.args="$work/java.yaml" >> "$work/log" 2>&1
}

go_app() {
  mkdir "$work/go"
  cp test/languages/go/main.go "$work/go/"
  cat > "$work/go/go.mod" <<MOD
module languages

go 1.23

require github.com/cdk8s-multi-container-patterns/cdk8s-multi-container-patterns-go/cdk8smulticontainerpatterns v$version

replace github.com/cdk8s-multi-container-patterns/cdk8s-multi-container-patterns-go/cdk8smulticontainerpatterns => $packages/go/cdk8smulticontainerpatterns

replace github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 => $packages/go/cdk8s

replace github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2 => $packages/go/cdk8splus27
MOD
  (cd "$work/go" && go mod tidy && go run . > "$work/go.yaml" 2>> "$work/log")
}

# The README's simplest example, its TypeScript and its Python block, each synthesized in a directory of its own.
readme_examples() {
  local ts_dir python_dir
  ts_dir=$(mktemp -d "$repo/test/.readme-languages-XXXXXX")
  python_dir="$work/readme-python"
  mkdir "$python_dir"
  awk '/^```ts$/ { inside = 1; next } /^```$/ && inside { exit } inside' README.md | sed "s#'cdk8s-multi-container-patterns'#'$repo/lib'#" > "$ts_dir/example.ts"
  awk '/^```python$/ { inside = 1; next } /^```$/ && inside { exit } inside' README.md > "$python_dir/example.py"
  (cd "$ts_dir" && node --import tsx example.ts) 2> /dev/null
  (cd "$python_dir" && "$work/venv/bin/python" example.py) 2> /dev/null
  cp "$ts_dir/dist/web.k8s.yaml" "$work/readme-ts.yaml"
  rm -rf "$ts_dir"
}

timed typescript typescript
timed python python
check "Python's YAML" "$work/expected.yaml" "$work/python.yaml"
check "Python's rule error (an exception with the same message)" "$work/expected-error.txt" "$work/python-error.txt"
check "Python's patterns on Include and Helm (by hand and by selector)" "$work/expected-include.yaml" "$work/python-include.yaml"
timed "README examples" readme_examples
check "The README's Python example" "$work/readme-ts.yaml" "$work/readme-python/dist/web.k8s.yaml"
timed java java
check "Java's YAML" "$work/expected.yaml" "$work/java.yaml"
timed go go_app
check "Go's YAML" "$work/expected.yaml" "$work/go.yaml"
echo "test:languages: done in $((SECONDS - start)) s"
exit "$failed"
