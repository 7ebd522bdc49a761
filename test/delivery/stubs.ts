/**
 * Stand-ins for docker, aws and terraform on PATH, for the delivery scripts' tests: no Docker engine or AWS here,
 * so what is checked is what the scripts ask them to do. Behaviour is steered by STUB_* environment variables.
 */
// Each stand-in appends "<tool> <args...>" to $STUB_LOG.
export const STUBS: Record<string, string> = {
  aws: `#!/usr/bin/env bash
echo "aws $*" >>"$STUB_LOG"
case "$1 $2" in
  "ecr get-login-password") echo stub-password ;;
  "ecr batch-get-image") echo '{"schemaVersion":2}' ;;
  "ecr put-image")
    tag=""; while [ "$#" -gt 0 ]; do [ "$1" = --image-tag ] && tag=$2; shift; done
    case " \${STUB_MARKED:-} " in *" $tag "*)
      echo "An error occurred (ImageAlreadyExistsException) when calling the PutImage operation" >&2; exit 254 ;;
    esac
    echo "sha256:0000" ;;
  "ecr describe-images")
    repository=""; while [ "$#" -gt 0 ]; do [ "$1" = --repository-name ] && repository=$2; shift; done
    case " \${STUB_FAIL_DESCRIBE:-} " in *" $repository "*)
      echo "An error occurred (AccessDeniedException) when calling the DescribeImages operation" >&2; exit 254 ;;
    esac
    case " \${STUB_EXISTING:-} " in
      *" $repository "*) echo "sha256:0000" ;;
      *) echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation" >&2; exit 254 ;;
    esac ;;
  *) echo "unexpected aws call" >&2; exit 99 ;;
esac
`,
  docker: `#!/usr/bin/env bash
echo "docker $*" >>"$STUB_LOG"
if [ "$1" = login ]; then read -r password; echo "docker login password=$password" >>"$STUB_LOG"; fi
if [ "$1" = build ] && [ -n "\${STUB_FAIL_BUILD:-}" ]; then exit 1; fi
exit 0
`,
  terraform: `#!/usr/bin/env bash
echo "terraform $*" >>"$STUB_LOG"
case "$*" in
  *"output -raw api_repository_url") [ -n "\${STUB_API_URL:-}" ] || exit 1; printf '%s' "$STUB_API_URL" ;;
  *"output -raw processor_repository_url") [ -n "\${STUB_PROCESSOR_URL:-}" ] || exit 1; printf '%s' "$STUB_PROCESSOR_URL" ;;
  *"output -raw api_running_image_tag") [ -n "\${STUB_RUNNING_API_TAG:-}" ] || exit 1; printf '%s' "$STUB_RUNNING_API_TAG" ;;
  *"output -raw processor_running_image_tag") [ -n "\${STUB_RUNNING_PROCESSOR_TAG:-}" ] || exit 1; printf '%s' "$STUB_RUNNING_PROCESSOR_TAG" ;;
  *" init "*) exit 0 ;;
  *) exit 1 ;;
esac
`,
  npx: `#!/usr/bin/env bash
echo "npx $* TF_VAR_api_image_tag=\${TF_VAR_api_image_tag:-} TF_VAR_processor_image_tag=\${TF_VAR_processor_image_tag:-}" >>"$STUB_LOG"
`,
};
