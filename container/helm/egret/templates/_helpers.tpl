{{/* Labels on every object of the chart. */}}
{{- define "egret.labels" -}}
app.kubernetes.io/name: egret
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels that tie the waypoint's objects to its Gateway (the controller sets the same ones). */}}
{{- define "egret.gatewayLabels" -}}
gateway.networking.k8s.io/gateway-name: {{ .Values.gateway.name }}
{{- end -}}

{{- define "egret.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
