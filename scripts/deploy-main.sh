#!/usr/bin/env bash
# `npm run deploy:main`: deploy the main stack without rolling the services to other images by accident.
# Each service keeps the image tag it runs now (the stack's <service>_running_image_tag output) unless
# TF_VAR_<service>_image_tag names another; on a first deploy (no state yet) the var file's tag is used.
# The tags deployed are marked first (scripts/push-images.sh --mark-deployed), so the ECR lifecycle policy keeps them.
# Usage: see usage() below (npm run deploy:main -- --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  cat <<'EOF'
Deploys the main stack, each service keeping the image tag it runs unless TF_VAR_<service>_image_tag names another.

Usage: npm run deploy:main -- [options] [-- <cdktf deploy arguments>]
  --var-file <path>   the var file to synthesize (default: $TFVARS_FILE, else terraform.tfvars.json)
  --auto-approve      deploy without asking (passed to cdktf deploy)
  --help              print this help
EOF
}

var_file=()
deploy_args=()
while [ "$#" -gt 0 ]; do
  case $1 in
    --help | -h) usage && exit 0 ;;
    --var-file=?*) var_file=(--var-file "${1#--var-file=}") ;;
    --var-file)
      if [ "$#" -lt 2 ] || [ -z "$2" ]; then
        printf 'npm run deploy:main: --var-file needs a value\n\n' >&2
        usage >&2
        exit 2
      fi
      var_file=(--var-file "$2")
      shift
      ;;
    --auto-approve) deploy_args+=("$1") ;;
    --)
      shift
      deploy_args+=("$@")
      break
      ;;
    *) printf 'npm run deploy:main: unknown argument %s\n\n' "$1" >&2 && usage >&2 && exit 2 ;;
  esac
  shift
done

stack_dir=${MAIN_STACK_DIR:-cdktf.out/stacks/main}
say() { printf 'deploy-main: %s\n' "$*" >&2; }

# ${a[@]+...}: bash 3.2 (macOS) treats an empty "${a[@]}" as unset under set -u.
npm run --silent synth -- ${var_file[@]+"${var_file[@]}"} >&2
if [ ! -d "$stack_dir/.terraform" ]; then
  terraform -chdir="$stack_dir" init -input=false -no-color >&2
fi

# The tag each service deploys: given, running, or (first deploy) the var file's default.
tag_for() {
  local service=$1 variable="TF_VAR_${1}_image_tag" tag
  if [ -n "${!variable:-}" ]; then
    say "$service: $variable=${!variable} (given)"
    printf '%s' "${!variable}"
  elif tag=$(terraform -chdir="$stack_dir" output -raw "${service}_running_image_tag" 2>/dev/null) && [ -n "$tag" ]; then
    say "$service: keeps the running image tag $tag (set $variable to deploy another)"
    printf '%s' "$tag"
  else
    tag=$(node -e 'const [file, name] = process.argv.slice(1); process.stdout.write(require(require("node:path").resolve(file)).variable[name].default)' \
      "$stack_dir/cdk.tf.json" "${service}_image_tag")
    say "$service: no running image tag in the state (a first deploy): services.$service.image_tag from the var file, $tag"
    printf '%s' "$tag"
  fi
}

for service in api processor; do
  tag=$(tag_for "$service")
  export "TF_VAR_${service}_image_tag=$tag"
  [ -n "${SKIP_MARK_DEPLOYED:-}" ] || IMAGE_SERVICES=$service bash scripts/push-images.sh --mark-deployed "$tag" >&2
done

export CHECKPOINT_DISABLE=1
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
npx cdktf deploy main --skip-synth --ignore-missing-stack-dependencies ${deploy_args[@]+"${deploy_args[@]}"}
# Then the ECS deployments it started: exit non-zero on a rollback (scripts/rollout-outcome.ts decides).
exec npx tsx scripts/wait-rollout.ts --stack-dir "$stack_dir" --since "$since" --timeout-minutes "${ROLLOUT_TIMEOUT_MINUTES:-60}"
