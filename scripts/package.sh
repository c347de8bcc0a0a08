#!/usr/bin/env bash
# The library for every cdk8s language: jsii compiles lib/ into build/ and the .jsii assembly, then
# jsii-pacmak writes the npm tarball, the Python wheel, the Java (Maven) and Go packages to packages/.
# Maven Central and the Go module proxy reachable here lack cdk8s-plus-27 for Java and both cdk8s and
# cdk8s-plus-27 for Go, so their bindings are generated first from the npm packages, into packages/
# too, where pacmak's own build of ours finds them (a Maven repository and Go replace directives).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
rm -rf packages
npx jsii --silence-warnings=metadata/missing-dev-dependency
echo "package: jsii done in $((SECONDS - start)) s"
# Only a local stand-in: no javadoc jar (the slowest part of its Maven build).
npx jsii-pacmak node_modules/cdk8s-plus-27 --no-npmignore --outdir packages --target java --mvn-define=maven.javadoc.skip=true
npx jsii-pacmak node_modules/cdk8s node_modules/cdk8s-plus-27 --no-npmignore --outdir packages --target go
echo "package: dependency bindings done in $((SECONDS - start)) s"
npx jsii-pacmak --no-npmignore --outdir packages
echo "package: packages/ written in $((SECONDS - start)) s"
