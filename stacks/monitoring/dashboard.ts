import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { hopGraphs, type GraphedResources } from "./dashboard-graphs.js";
import { HOPS, type Hop } from "./monitored-resources.js";

export interface DashboardProps extends GraphedResources {
  readonly name: string;
  readonly region: string;
  /** Each hop's alarms, shown at the end of its row. */
  readonly alarms: Readonly<Record<Hop, readonly CloudwatchMetricAlarm[]>>;
}

/** Titles of the rows, in request-path order (the runbook's "which widget" names these). */
export const HOP_TITLES: Readonly<Record<Hop, string>> = {
  ingest: "1. Ingest API (POST /requests)",
  queue: "2. SQS request queue and DLQ",
  processor: "3. processor (ECS)",
  table: "4. DynamoDB results table",
  ingress: "5. NLB -> ALB",
  api: "6. api (ECS)",
  query: "7. Query API (GET /requests/{id})",
};

/** Row 5's title when the private path has no NLB (`private_integration: "alb"`). */
export const ALB_ONLY_INGRESS_TITLE = "5. VPC Link v2 -> ALB";

const ROW_HEIGHT = 6;

/**
 * One dashboard, one row per hop of the request path (ingest API -> SQS -> processor -> DynamoDB -> NLB/ALB -> api
 * -> query API). Each row: the hop's name, two graphs of its golden signals (traffic and errors; latency or
 * saturation) and the state of its alarms, so a red alarm sits next to the graph that explains it.
 */
export class Dashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const graphs = hopGraphs(props);
    const widgets = HOPS.flatMap((hop, row) => {
      const y = row * ROW_HEIGHT;
      const rowGraphs = graphs[hop];
      const graphWidth = Math.floor(14 / rowGraphs.length);
      return [
        {
          type: "text",
          x: 0,
          y,
          width: 4,
          height: ROW_HEIGHT,
          properties: { markdown: `## ${hop === "ingress" && !props.nlb ? ALB_ONLY_INGRESS_TITLE : HOP_TITLES[hop]}` },
        },
        ...rowGraphs.map((graph, index) => ({
          type: "metric",
          x: 4 + index * graphWidth,
          y,
          width: graphWidth,
          height: ROW_HEIGHT,
          properties: {
            title: graph.title,
            region: props.region,
            view: "timeSeries",
            period: 60,
            ...(graph.stat ? { stat: graph.stat } : {}),
            metrics: graph.metrics,
          },
        })),
        {
          type: "alarm",
          x: 18,
          y,
          width: 6,
          height: ROW_HEIGHT,
          properties: { title: "Alarms", alarms: props.alarms[hop].map((alarm) => alarm.arn) },
        },
      ];
    });
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify({ widgets }),
    });
  }
}
