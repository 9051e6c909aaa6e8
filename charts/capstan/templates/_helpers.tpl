{{/* The chart's name, overridable with nameOverride. */}}
{{- define "capstan.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's base name: fullnameOverride, else RELEASE when it already holds the chart
name, else RELEASE-CHART. Cut to 52 characters so that NAME-controller fits in 63.
*/}}
{{- define "capstan.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The controller's Deployment, Service and RBAC objects are all named this. */}}
{{- define "capstan.controllerName" -}}
{{- printf "%s-controller" (include "capstan.fullname" .) }}
{{- end }}

{{- define "capstan.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "capstan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "capstan.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "capstan.labels" -}}
helm.sh/chart: {{ include "capstan.chart" . }}
{{ include "capstan.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: capstan
{{- end }}

{{- define "capstan.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "capstan.controllerName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "capstan.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
One --spot-toleration flag value per toleration, in the form the controller parses:
KEY=VALUE:EFFECT (operator Equal), KEY:EFFECT (operator Exists); without an effect the
toleration matches every effect (KEY=VALUE or KEY).
*/}}
{{- define "capstan.spotToleration" -}}
{{- if not .key }}
{{- fail "spot.tolerations: every toleration needs a key" }}
{{- end }}
{{- $operator := default "Equal" .operator }}
{{- if and (eq $operator "Equal") (not (kindIs "invalid" .value)) }}
{{- printf "%s=%s" .key (toString .value) }}
{{- else if or (eq $operator "Exists") (kindIs "invalid" .value) }}
{{- .key }}
{{- else }}
{{- fail (printf "spot.tolerations: operator %q of %q must be Equal or Exists" $operator .key) }}
{{- end }}
{{- with .effect }}:{{ . }}{{ end }}
{{- end }}

{{/* The arguments of `capstan run`. */}}
{{- define "capstan.args" -}}
- run
{{- if gt (int .Values.sharding.shards) 0 }}
- --shards={{ .Values.sharding.shards | int64 }}
{{- else if .Values.leaderElection.enabled }}
- --leader-elect
{{- end }}
- --metrics-addr=:{{ .Values.metrics.port | int64 }}
- --health-addr=:{{ .Values.health.port | int64 }}
- --dispatch-addr=:{{ .Values.mapWorkers.dispatchPort | int64 }}
- --dispatch-url=http://$(POD_IP):{{ .Values.mapWorkers.dispatchPort | int64 }}
- --worker-image={{ include "capstan.image" . }}
- --worker-key-file=/etc/capstan/worker-key/key
- --log-format={{ .Values.logFormat }}
- --log-level={{ .Values.logLevel }}
{{- with .Values.store.url }}
- --store={{ . }}
{{- end }}
{{- with .Values.watchNamespace }}
- --namespace={{ . }}
{{- end }}
{{- if not (kindIs "invalid" .Values.workers) }}
- --workers={{ .Values.workers | int64 }}
{{- end }}
{{- if not (kindIs "invalid" .Values.kubeQPS) }}
- --kube-qps={{ .Values.kubeQPS }}
{{- end }}
{{- if not (kindIs "invalid" .Values.kubeBurst) }}
- --kube-burst={{ .Values.kubeBurst | int64 }}
{{- end }}
{{- if not (kindIs "invalid" .Values.systemRetries) }}
- --system-retries={{ .Values.systemRetries | int64 }}
{{- end }}
{{- range $key, $value := .Values.spot.nodeSelector }}
- {{ printf "--spot-node-selector=%s=%s" $key (toString $value) | quote }}
{{- end }}
{{- range .Values.spot.tolerations }}
- {{ printf "--spot-toleration=%s" (include "capstan.spotToleration" .) | quote }}
{{- end }}
{{- range $name, $template := .Values.logLinks }}
- {{ printf "--log-link=%s=%s" $name $template | quote }}
{{- end }}
{{- with .Values.defaultTTL }}
- --default-ttl={{ . }}
{{- end }}
{{- range .Values.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/* Controller pods: one per shard plus the standbys when sharded, else .Values.replicas. */}}
{{- define "capstan.replicas" -}}
{{- if gt (int .Values.sharding.shards) 0 -}}
{{- add (int .Values.sharding.shards) (int .Values.sharding.standbys) -}}
{{- else -}}
{{- .Values.replicas | int64 -}}
{{- end -}}
{{- end }}

{{/* The Secret holding the key worker pods' tokens are signed with. */}}
{{- define "capstan.workerKeySecret" -}}
{{- default (printf "%s-worker-key" (include "capstan.fullname" .)) .Values.mapWorkers.keySecretName -}}
{{- end -}}
