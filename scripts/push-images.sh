#!/usr/bin/env bash
# Build the api and processor images for one tag and push them to their ECR repositories.
# The one piece of code that builds and pushes images: laptops run it through `npm run images:push -- <tag>`,
# .github/workflows/deploy.yml runs it with the commit SHA.
#
# Repository tags are IMMUTABLE, so a tag that already exists is left alone (not rebuilt, not pushed): re-running a
# deploy for the same commit succeeds, and a tag always means the image that was pushed first.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/push-images.sh [--check | --mark-deployed] <tag>
       npm run images:push -- [--check | --mark-deployed] <tag>

It reads no var file: the repositories come from the synthesized ecr stack (`npm run synth -- --var-file <path>`
chooses the var file) or from the variables below.

Builds apps/api/Dockerfile and apps/processor/Dockerfile (context: the repository root) as <repository-url>:<tag>
and pushes each image unless its repository already holds <tag>. Use the commit SHA as the tag
(e.g. "$(git rev-parse HEAD)"), then deploy with TF_VAR_api_image_tag / TF_VAR_processor_image_tag set to it.

--check: build and push nothing; exit non-zero unless both repositories already hold <tag> (before a rollback).
--mark-deployed: build and push nothing; add the tag deployed-<tag> to the existing <tag> images, which the
  repositories' lifecycle policy then keeps (ecr/lifecycle-policy.ts). Every deploy runs it before `cdktf deploy main`.

Tags: 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (the image_tag variables' rule).

Environment (all optional):
  API_REPOSITORY_URL        repository URLs; default: `terraform output -raw <service>_repository_url`
  PROCESSOR_REPOSITORY_URL  in ECR_STACK_DIR (the ecr stack must be deployed: npm run deploy:ecr)
  ECR_STACK_DIR             synthesized ecr stack (default: cdktf.out/stacks/ecr; run `npm run synth` first)
  IMAGE_PLATFORM            docker build --platform (default: the var file's cpu_architecture, TFVARS_FILE or
                            terraform.tfvars.json: linux/arm64 for arm64, else linux/amd64)
  IMAGE_SERVICES            the services to act on (default: "api processor")
EOF
}

die() {
  printf 'push-images: %s\n' "$*" >&2
  exit 1
}

if [ "$#" -eq 1 ] && { [ "$1" = "-h" ] || [ "$1" = "--help" ]; }; then
  usage
  exit 0
fi
check_only=""
mark_deployed=""
if [ "$#" -ge 1 ] && [ "$1" = "--check" ]; then
  check_only=yes
  shift
elif [ "$#" -ge 1 ] && [ "$1" = "--mark-deployed" ]; then
  check_only=yes
  mark_deployed=yes
  shift
fi
if [ "$#" -ge 1 ] && [[ $1 == -* ]]; then
  printf 'push-images: unknown option %s\n\n' "$1" >&2
  usage >&2
  exit 2
fi
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  printf 'push-images: expected exactly one argument, the image tag\n\n' >&2
  usage >&2
  exit 2
fi
tag=$1
if ! [[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  printf 'push-images: invalid tag %q\n\n' "$tag" >&2
  usage >&2
  exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."

read -r -a services <<<"${IMAGE_SERVICES:-api processor}"
for service in "${services[@]}"; do
  case $service in api | processor) ;; *) die "IMAGE_SERVICES: unknown service '$service' (api, processor)" ;; esac
done
ecr_stack_dir=${ECR_STACK_DIR:-cdktf.out/stacks/ecr}
# The tasks' architecture (cpu_architecture in the var file) decides the image's; a file without the key is x86_64.
config_platform() {
  local file=${TFVARS_FILE:-terraform.tfvars.json}
  if [ -f "$file" ] && grep -Eq '"cpu_architecture"[[:space:]]*:[[:space:]]*"arm64"' "$file"; then
    printf 'linux/arm64'
  else
    printf 'linux/amd64'
  fi
}
platform=${IMAGE_PLATFORM:-$(config_platform)}
# The Dockerfiles use per-Dockerfile ignore files (apps/<service>/Dockerfile.dockerignore), which need BuildKit.
export DOCKER_BUILDKIT=1

require() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not on PATH ($2)"
}
[ -n "$check_only" ] || require docker "install Docker and start the engine"
require aws "install the AWS CLI v2 and configure credentials for the target account"

# terraform output needs an initialised working directory; cdktf deploy leaves one behind, CI may not have one yet.
terraform_output() {
  require terraform "needed to read the ecr stack's outputs; or set API_REPOSITORY_URL and PROCESSOR_REPOSITORY_URL"
  [ -f "$ecr_stack_dir/cdk.tf.json" ] || die "$ecr_stack_dir/cdk.tf.json not found: run \`npm run synth\` first"
  if [ ! -d "$ecr_stack_dir/.terraform" ]; then
    terraform -chdir="$ecr_stack_dir" init -input=false -no-color >&2 || die "terraform init failed in $ecr_stack_dir"
  fi
  terraform -chdir="$ecr_stack_dir" output -raw "$1" 2>/dev/null ||
    die "no output $1 in $ecr_stack_dir: deploy the ecr stack first (npm run deploy:ecr)"
}

repository_url() {
  local service=$1 variable
  variable="$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')_REPOSITORY_URL"
  if [ -n "${!variable:-}" ]; then
    printf '%s' "${!variable}"
  else
    terraform_output "${service}_repository_url"
  fi
}

# 0: the tag exists; 1: it does not; anything else (no credentials, no repository, throttling) stops the script.
image_exists() {
  local region=$1 repository=$2 output
  if output=$(aws ecr describe-images --region "$region" --repository-name "$repository" \
    --image-ids "imageTag=$tag" --query 'imageDetails[0].imageDigest' --output text 2>&1); then
    return 0
  fi
  case $output in
    *ImageNotFoundException*) return 1 ;;
  esac
  printf '%s\n' "$output" >&2
  die "could not look up $repository:$tag"
}

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  printf 'push-images: warning: the working tree has uncommitted changes; the images will not match %s\n' "$revision" >&2
fi

# Indexed arrays only (no `declare -A`, no empty-array expansion): macOS still ships bash 3.2.
urls=()
build=()
logged_in=""
for i in "${!services[@]}"; do
  service=${services[$i]}
  url=$(repository_url "$service")
  [[ $url =~ ^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/[a-z0-9._/-]+$ ]] ||
    die "$service repository URL '$url' is not an ECR repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>)"
  # The repository's own region, never AWS_REGION: a laptop's default region must not send ECR calls elsewhere.
  region=${BASH_REMATCH[1]}
  registry=${url%%/*}
  urls[i]=$url
  build[i]=no

  if image_exists "$region" "${url#*/}"; then
    printf 'push-images: %s:%s already exists (tags are immutable), skipping %s\n' "$url" "$tag" "$service"
    continue
  fi
  if [ -n "$check_only" ]; then
    printf 'push-images: %s:%s does not exist\n' "$url" "$tag" >&2
    build[i]=missing
    continue
  fi
  if [ "$logged_in" != "$registry" ]; then
    aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >/dev/null
    logged_in=$registry
  fi
  build[i]=yes
done

if [ -n "$check_only" ]; then
  for i in "${!services[@]}"; do
    [ "${build[i]}" != missing ] || die "${services[i]} has no image tagged $tag (deploying it would fail)"
  done
  printf 'push-images: %s: the images exist for %s\n' "${services[*]}" "$tag"
  [ -n "$mark_deployed" ] || exit 0
  # ECR tags stop at 128 characters; ecr/lifecycle-policy.ts's deployedTag cuts the same way.
  marker="deployed-$tag"
  marker=${marker:0:128}
  for i in "${!services[@]}"; do
    url=${urls[i]}
    [[ $url =~ \.dkr\.ecr\.([a-z0-9-]+)\. ]] && region=${BASH_REMATCH[1]}
    manifest=$(aws ecr batch-get-image --region "$region" --repository-name "${url#*/}" --image-ids "imageTag=$tag" \
      --accepted-media-types application/vnd.oci.image.manifest.v1+json application/vnd.docker.distribution.manifest.v2+json \
      application/vnd.oci.image.index.v1+json application/vnd.docker.distribution.manifest.list.v2+json \
      --query 'images[0].imageManifest' --output text) || die "could not read the manifest of $url:$tag"
    # Same manifest, one more tag: no layer is copied. A marker that exists already (a re-deploy) is fine.
    if output=$(aws ecr put-image --region "$region" --repository-name "${url#*/}" --image-tag "$marker" \
      --image-manifest "$manifest" --output text --query 'image.imageId.imageDigest' 2>&1); then
      printf 'push-images: %s:%s marked %s\n' "$url" "$tag" "$marker"
    else
      case $output in
        *ImageAlreadyExistsException* | *ImageTagAlreadyExistsException*) printf 'push-images: %s:%s was already marked %s\n' "$url" "$tag" "$marker" ;;
        *) printf '%s\n' "$output" >&2 && die "could not tag $url:$tag as $marker" ;;
      esac
    fi
  done
  exit 0
fi

# Build everything before pushing anything, so a failing build leaves the repositories untouched.
for i in "${!services[@]}"; do
  [ "${build[i]}" = yes ] || continue
  printf 'push-images: building %s:%s (%s)\n' "${urls[i]}" "$tag" "$platform"
  docker build --platform "$platform" -f "apps/${services[i]}/Dockerfile" -t "${urls[i]}:$tag" \
    --label "org.opencontainers.image.revision=$revision" .
done
for i in "${!services[@]}"; do
  [ "${build[i]}" = yes ] || continue
  docker push "${urls[i]}:$tag"
done

for i in "${!services[@]}"; do
  printf 'push-images: %s image %s:%s (pushed now: %s)\n' "${services[i]}" "${urls[i]}" "$tag" "${build[i]}"
done
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    printf '### Images\n\n| service | image | pushed now |\n|---|---|---|\n'
    for i in "${!services[@]}"; do
      printf "| %s | \`%s:%s\` | %s |\n" "${services[i]}" "${urls[i]}" "$tag" "${build[i]}"
    done
  } >>"$GITHUB_STEP_SUMMARY"
fi
