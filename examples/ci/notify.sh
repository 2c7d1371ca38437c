#!/usr/bin/env bash
# Tells every open page that a deploy happened: the default deploy notification, its run fields (repository,
# commit, run URL, environment, …) read from the CI this runs in (GitLab CI, Azure Pipelines, Jenkins, GitHub
# Actions) or, in a plain shell, from git. Any extra arguments go to `webpubsub-action send` (see its --help),
# e.g. ./notify.sh --environment production
#
# Needs Node.js 20 or later, and two variables:
#   WEBPUBSUB_CONNECTION_STRING  the service's connection string (a secret: from your CI's secret store)
#   WEBPUBSUB_HUB                the hub your pages listen on
# Prints the send's outputs as JSON on stdout; exits non-zero when the send failed (docs/cli.md, "Exit codes").
set -euo pipefail

: "${WEBPUBSUB_CONNECTION_STRING:?set WEBPUBSUB_CONNECTION_STRING to the service connection string}"
: "${WEBPUBSUB_HUB:?set WEBPUBSUB_HUB to the hub your pages listen on}"
# The release's tarball, until the package is on the npm registry (then: webpubsub-action@0).
WEBPUBSUB_ACTION="${WEBPUBSUB_ACTION:-https://github.com/org/webpubsub-action/releases/download/v0.1.0/webpubsub-action-0.1.0.tgz}"

npx --yes --package "$WEBPUBSUB_ACTION" webpubsub-action send --hub "$WEBPUBSUB_HUB" --json "$@"
