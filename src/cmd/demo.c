/*
 * demo.c — `rapport demo [DIR] [--size small|large|N]`: a workspace full of believable data.
 * `small` is a hand-written services company: a dozen customers (English and Chinese names),
 * their people, a year of conversations, projects in every status with milestones and WBS
 * tasks, time, contracts, invoices paid, late and open, tickets and survey answers — dated
 * relative to today so the demo always looks current. `large` (10,000 customers, 200,000 tasks,
 * 1,000,000 interactions) and `N` (N customers) are synthetic and deterministic, for benchmarks.
 * Every record goes through ws_add, the same validation as `rapport add`; the small company's
 * projects then go through the delivery process by the engine itself (walk_all).
 */
#include "billing.h"
#include "cmd.h"
#include "process.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int run(struct ctx *c, int argc, char **argv);

const struct command cmd_demo = {
	"demo", run, "demo [DIR] [--size small|large|N] [--lang en|zh]",
	N_("Create a workspace filled with demo data (default DIR: rapport-demo)."),
	N_("small (the default) is a realistic services company: 12 customers, their contacts, a\n"
	"year of interactions, projects in every status with milestones and WBS tasks, time\n"
	"entries, contracts, invoices (paid, late, open), tickets and NPS/CSAT answers. Its\n"
	"projects went through the delivery process (rapport-process(5)) on the days their plans\n"
	"say: done ones at operations, active ones in the middle, some approvals still waiting.\n"
	"You are Ada Lovelace there (the workspace's user.email), a project manager with\n"
	"decisions to make: rapport approvals --mine. Dates are relative to today (or\n"
	"RAPPORT_NOW).\n"
	"large is a synthetic workspace for benchmarks: 10,000 customers, 200,000 tasks and\n"
	"1,000,000 interactions; N gives N customers in the same proportions. Synthetic data is\n"
	"deterministic: the same N and RAPPORT_NOW give the same records and ids.\n"
	"--lang zh makes the small company a Chinese ERP-implementation firm in Hangzhou: Chinese\n"
	"customers with their province and city, contacts with Chinese titles and +86 mobiles,\n"
	"conversations, tickets and requirements written in Chinese, 初验/终验 milestones and\n"
	"3-3-3-1 payment plans, in yuan (one Hong Kong customer in US dollars). The default is\n"
	"the interface language (ui.lang or the locale).\n"),
	0,
};

struct vocab;

struct gen {
	const struct vocab *v; /* the small company's language: its names and texts */
	struct ctx *c;
	struct ws *w;
	struct err *e;
	int rc;
	long count, expect;
	time_t now; /* read once: every record of one demo is made at the same moment */
	long today;
	bool progress;
	time_t started, shown;
	char members[8][33];
	int nmembers;
	/* The projects made so far, for their way through the delivery process (walk_all). */
	struct demo_proj {
		char id[33], manager[33], customer[33];
		const char *status;
		long start, len; /* days since the epoch; length in days */
	} proj[32];
	int nproj;
	int minute; /* of the engine's writes on one day, so they keep their order */
};

/* ---- helpers ---- */

static struct record *mk(struct gen *g, const char *kind)
{
	return record_new(schema_kind(&g->w->sc, kind));
}

static void put(struct gen *g, struct record *r, const char *field, const char *v)
{
	if (g->rc || !v)
		return;
	const struct field *f = kind_field(r->ki, field);
	char *norm;
	if (!f) {
		g->rc = err_set(g->e, RERR_RUNTIME, "demo: %s has no field %s", r->ki->k->name, field);
		return;
	}
	if ((g->rc = value_normalize(f, v, g->now, &norm, g->e)))
		return;
	record_put(r, kind_field_index(r->ki, f), norm);
}

static void putf(struct gen *g, struct record *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void putf(struct gen *g, struct record *r, const char *field, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	put(g, r, field, b.data);
	buf_release(&b);
}

/* A date `off` days from today. */
static void putday(struct gen *g, struct record *r, const char *field, long off)
{
	char d[11];
	days_to_date(d, g->today + off);
	put(g, r, field, d);
}

static void putstamp(struct gen *g, struct record *r, const char *field, long off, int minute)
{
	char d[11];
	days_to_date(d, g->today + off);
	putf(g, r, field, "%sT%02d:%02d:00Z", d, minute / 60 % 24, minute % 60);
}

static void tick(struct gen *g)
{
	g->count++;
	if (!g->progress || (g->count & 1023))
		return;
	time_t t = time(NULL);
	if (t == g->shown)
		return;
	g->shown = t;
	fprintf(stderr, "\rrapport demo: %ld of ~%ld records (%ld%%)  ", g->count, g->expect,
		g->expect ? g->count * 100 / g->expect : 0);
}

/* Saves r, copies its id to id_out (may be NULL), frees r. */
static void save(struct gen *g, struct record *r, char *id_out)
{
	if (!g->rc && !(g->rc = ws_add(g->w, r, g->e))) {
		if (id_out)
			memcpy(id_out, r->id, 33);
		tick(g);
	}
	record_free(r);
}

static long rnd(long lo, long hi) { return lo + (long)rng_below((uint64_t)(hi - lo + 1)); }

/* Money received for an invoice. Its id derives from the invoice's, so adding receipts to the
 * demo drew nothing from the seeded generator: every other record is as it was. */
static void receipt(struct gen *g, const char *invoice, const char *customer, long amount, long day)
{
	if (g->rc)
		return;
	struct record *r = mk(g, "receipt");
	id_derived(r->id, "rapport demo receipt ", invoice);
	put(g, r, "invoice", invoice);
	put(g, r, "customer", customer);
	putf(g, r, "amount", "%ld", amount);
	putday(g, r, "date", day > 0 ? 0 : day);
	put(g, r, "method", "bank");
	save(g, r, NULL);
}
static const char *pick(const char *const *v, size_t n) { return v[rng_below(n)]; }
#define PICK(a) pick(a, ARRAY_LEN(a))

/* ---- shared vocabulary ---- */

static const char *const first_en[] = { "Olivia", "James", "Emma", "Noah", "Sophia", "Liam",
					"Mia", "Lucas", "Amelia", "Ethan", "Chloe", "Daniel",
					"Priya", "Ahmed", "Sofia", "Mateo", "Hannah", "Kenji" };
static const char *const last_en[] = { "Smith", "Johnson", "Brown", "Garcia", "Miller",
				       "Davis", "Wilson", "Anderson", "Taylor", "Moore",
				       "Patel", "Khan", "Novak", "Rossi", "Schmidt", "Dubois" };
static const char *const name_zh[] = { "张伟", "李娜", "王强", "刘洋", "陈静", "杨磊",
				       "赵敏", "黄婷", "周杰", "吴昊", "徐丽", "孙悦" };
static const char *const titles[] = { "CTO", "CFO", "Head of Operations", "IT Manager",
				      "Project Lead", "Procurement Manager", "Finance Controller",
				      "Service Desk Lead" };
static const char *const roles[] = { "sponsor", "decision_maker", "champion", "user",
				     "technical", "finance", "procurement" };
static const char *const ikinds[] = { "call", "email", "meeting", "visit", "chat", "note" };
static const char *const topics[] = {
	"steering committee", "status review", "invoice query", "scope change request",
	"go-live planning", "training schedule", "data migration", "integration testing",
	"renewal discussion", "escalation follow-up", "quarterly business review",
	"requirements workshop", "support backlog", "budget review", "UAT feedback",
};
static const char *const task_names[] = {
	"Kick-off", "Requirements", "Solution design", "Build", "Data migration", "Integration",
	"Testing", "Training", "Go-live", "Hypercare", "Documentation", "Security review",
};
static const char *const project_names[] = {
	"ERP rollout", "Data warehouse", "CRM migration", "Mobile field app", "Support retainer",
	"Security audit", "Cloud migration", "WMS implementation", "Payroll integration",
	"BI dashboards", "E-invoicing", "Network refresh",
};

/* ---- the small, hand-written company ---- */

struct cust {
	const char *name, *industry, *region, *size, *stage, *tags, *renewal, *website;
	bool zh;       /* billed in the company's second currency (the English company's Chinese
			* customers in yuan, the Chinese company's Hong Kong one in dollars) */
	int projects;  /* how many projects */
	int last_seen; /* days since the last interaction */
	const char *address;
};

static const struct cust customers_en[] = {
	{ "Contoso Manufacturing", "Manufacturing", "EMEA", "large", "active", "erp,priority",
	  "likely", "contoso.example", false, 3, 2, "Unit 4, Tyseley Industrial Estate, Birmingham B11 2AA, United Kingdom" },
	{ "Contoso Logistics", "Logistics", "EMEA", "medium", "active", "erp", "yes",
	  "logistics.contoso.example", false, 1, 9, "Hafenstraße 12, 20457 Hamburg, Germany" },
	{ "Northwind Traders", "Retail", "EMEA", "medium", "loyal", "bi,reference", "yes",
	  "northwind.example", false, 2, 5, "Kalverstraat 92, 1012 PH Amsterdam, Netherlands" },
	{ "Fabrikam Health", "Healthcare", "NA", "large", "at_risk", "crm,escalated", "unsure",
	  "fabrikam.example", false, 2, 45, "410 Terry Ave N, Seattle, WA 98109, USA" },
	{ "Tailspin Airlines", "Aviation", "NA", "enterprise", "active", "cloud", "likely",
	  "tailspin.example", false, 2, 12, "2200 Aviation Blvd, Dallas, TX 75261, USA" },
	{ "Adventure Works", "Retail", "NA", "medium", "prospect", "mobile", NULL,
	  "adventure-works.example", false, 1, 6, "88 Pike Street, Seattle, WA 98101, USA" },
	{ "Litware Insurance", "Finance", "EMEA", "large", "active", "security", "likely",
	  "litware.example", false, 1, 20, "Rue de Rive 8, 1204 Genève, Switzerland" },
	{ "Woodgrove Bank", "Finance", "APAC", "enterprise", "churned", "", "no",
	  "woodgrove.example", false, 1, 200, "1 Raffles Place, Singapore 048616" },
	{ "Margie's Travel", "Travel", "APAC", "small", "lead", "", NULL, "margies.example", false,
	  0, 15, "45 George Street, Sydney NSW 2000, Australia" },
	{ "上海明远科技有限公司", "Technology", "APAC", "large", "active", "erp,china", "likely",
	  "mingyuan.example", true, 2, 3, "上海市浦东新区张江高科技园区碧波路 690 号" },
	{ "杭州青禾物流", "Logistics", "APAC", "medium", "active", "wms,china", "unsure",
	  "qinghe.example", true, 1, 33, "浙江省杭州市余杭区仓前街道良睦路 1399 号" },
	{ "深圳星辰电子", "Electronics", "APAC", "medium", "loyal", "bi,china", "yes",
	  "xingchen.example", true, 1, 8, "广东省深圳市南山区科技园南区高新南七道 18 号" },
};

/* The delivery team. The demo's user is Ada Lovelace (ME): the workspace's identity says so
 * (run()), so `approvals --mine` and the TUI's Approvals screen have her decisions to show.
 * reports_to is whom a manager's kickoff goes to and an overdue approval escalates to. */
#define ME 0
struct member_def {
	const char *name, *email, *role, *rate;
	int boss; /* index of the member reported to, -1: none */
};
static const struct member_def team_en[] = {
	{ "Ada Lovelace", "ada@delivery.example", "pm", "120", 5 },
	{ "Grace Hopper", "grace@delivery.example", "pm", "125", 5 },
	{ "Linus Chen", "linus@delivery.example", "member", "95", 0 },
	{ "王芳", "wang.fang@delivery.example", "finance", "90", 5 },
	{ "Sam Okafor", "sam@delivery.example", "service", "80", 1 },
	{ "Maria Rossi", "maria@delivery.example", "exec", "160", -1 },
};

/* The sales pipeline: what each customer may buy next, some of it won or lost this year.
 * Fixed, not drawn (make_pipeline). */
struct opp_def {
	int cust; /* index in the company's customers */
	const char *name, *stage, *source, *lost_reason;
	long amount, probability; /* probability 0: the stage's */
	long created, expected, closed; /* closed only when won or lost */
	int owner;
};

/* A ticket's title with the kind of ticket it is. */
struct ticket_def {
	const char *title, *kind;
};

/* Everything the small company says, in its language: `demo --lang zh` is a Chinese
 * ERP-implementation firm in Hangzhou billing in yuan, the default an English-speaking one
 * billing in euros. Both are drawn by the same code from the same seed. */
#define VEC(a) a, ARRAY_LEN(a)
struct vocab {
	bool zh;
	const char *currency, *alt_currency; /* the team's, and what a cust with zh is billed in */
	int mult, alt_mult;		      /* what amounts drawn in euros are multiplied by */
	double rate_base, rate_step;	      /* alt_currency → currency, month-end */
	const char *rate_source;
	const struct cust *customers;
	size_t ncust;
	const struct member_def *team;
	size_t nteam;
	const char *sponsor_title;
	const char *const *titles;
	size_t ntitles;
	const char *const *topics;
	size_t ntopics;
	const struct ticket_def *tickets;
	size_t ntickets;
	const char *complaint; /* the at-risk customer's open complaint */
	const char *const *task_names;
	size_t ntasks;
	const char *const (*subtasks)[3]; /* per task name, the work under it */
	const char *const *project_names;
	size_t nprojects;
	const char *milestones[3], *deliverables[3];
	const char *const *reqs;
	size_t nreqs;
	const struct opp_def *opps;
	size_t nopps;
	const char *billing[4];
	const char *ending_soon; /* the customer whose contract ends within a week */
	const char *desc_fmt, *msa_fmt, *body_fmt, *resolution, *unhappy, *care_task, *comment;
	const char *change_title, *change_desc, *change_scope, *reject_reason;
	const char *evidence_fmt, *signed_off, *turned_down;
};

static const char *const subtasks_en[][3] = {
	{ "Kick-off workshop", "Project charter", "Stakeholder map" },
	{ "Process interviews", "Requirements catalogue", "Gap analysis" },
	{ "Solution blueprint", "Data model", "Authorisation concept" },
	{ "System configuration", "Custom reports", "Print forms" },
	{ "Data cleansing", "Migration dry run", "Final data load" },
	{ "Interface specification", "Interface build", "End-to-end test" },
	{ "Test scripts", "User acceptance test", "Defect fixing" },
	{ "Training material", "Key-user training", "End-user sessions" },
	{ "Cut-over plan", "Cut-over weekend", "Go/no-go meeting" },
	{ "Daily stand-ups", "Incident triage", "Handover to support" },
	{ "User guide", "Admin guide", "Operations manual" },
	{ "Penetration test", "Role review", "Security sign-off" },
};

static const char *const reqs_en[] = { "Export to Excel from every list", "Single sign-on",
				       "Chinese invoice template", "Mobile approvals",
				       "Audit trail for price changes" };

static const struct ticket_def tickets_en[] = {
	{ "Login fails after password reset", "incident" },
	{ "Report export times out", "incident" },
	{ "Wrong VAT on invoice PDF", "incident" },
	{ "Stock levels not syncing", "incident" },
	{ "Slow month-end close", "complaint" },
	{ "Request: new user accounts", "request" },
	{ "Complaint: missed callback", "complaint" },
	{ "Interface error from warehouse scanner", "incident" },
	{ "Question about licence terms", "question" },
	{ "Change: add approval step to POs", "change" },
	{ "Dashboard shows stale data", "incident" },
	{ "Printer mapping lost after upgrade", "incident" },
};

/* ---- 远航数智: the Chinese company ---- */

static const struct cust customers_zh[] = {
	{ "浙江恒远机械制造股份有限公司", "装备制造", "华东", "large", "active", "erp,重点客户",
	  "likely", "hengyuan-jx.example", false, 3, 2, "浙江省杭州市萧山区经济技术开发区建设二路 88 号" },
	{ "恒远智能物流（杭州）有限公司", "物流仓储", "华东", "medium", "active", "wms", "yes",
	  "hengyuan-wl.example", false, 1, 9, "浙江省杭州市余杭区仓前街道文一西路 1500 号" },
	{ "苏州华润商贸有限公司", "商贸零售", "华东", "medium", "loyal", "bi,标杆客户", "yes",
	  "huarun-sm.example", false, 2, 5, "江苏省苏州市工业园区星湖街 328 号" },
	{ "广州康宁医疗器械有限公司", "医疗器械", "华南", "large", "at_risk", "crm,已升级", "unsure",
	  "kangning-yl.example", false, 2, 45, "广东省广州市黄埔区科学城开源大道 11 号" },
	{ "成都天府航空服务有限公司", "航空服务", "西南", "enterprise", "active", "上云", "likely",
	  "tianfu-air.example", false, 2, 12, "四川省成都市双流区航空港大道 2 段 99 号" },
	{ "上海悦动体育用品有限公司", "体育用品", "华东", "medium", "prospect", "移动端", NULL,
	  "yuedong.example", false, 1, 6, "上海市闵行区虹桥镇申滨路 36 号" },
	{ "深圳诚信保险经纪有限公司", "金融保险", "华南", "large", "active", "信息安全", "likely",
	  "chengxin-bx.example", false, 1, 20, "广东省深圳市福田区深南大道 6008 号" },
	{ "京华信合银行", "银行", "华北", "enterprise", "churned", "", "no", "jinghua-bank.example",
	  false, 1, 200, "北京市西城区金融大街 15 号" },
	{ "桂林山水国际旅行社有限公司", "旅游", "华南", "small", "lead", "", NULL,
	  "guilin-travel.example", false, 0, 15, "广西壮族自治区桂林市秀峰区中山中路 18 号" },
	{ "上海明远科技有限公司", "软件与信息服务", "华东", "large", "active", "erp", "likely",
	  "mingyuan.example", false, 2, 3, "上海市浦东新区张江高科技园区碧波路 690 号" },
	{ "杭州青禾物流有限公司", "物流仓储", "华东", "medium", "active", "wms", "unsure",
	  "qinghe.example", false, 1, 33, "浙江省杭州市余杭区仓前街道良睦路 1399 号" },
	{ "香港嘉信贸易有限公司", "进出口贸易", "港澳", "medium", "loyal", "bi,美元结算", "yes",
	  "jiaxin-hk.example", true, 1, 8, "香港特别行政区九龙尖沙咀广东道 25 号港威大厦 12 楼" },
};

static const struct member_def team_zh[] = {
	{ "林晓", "lin.xiao@yuanhang.example", "pm", "1200", 5 },
	{ "周建国", "zhou.jianguo@yuanhang.example", "pm", "1250", 5 },
	{ "陈浩", "chen.hao@yuanhang.example", "member", "950", 0 },
	{ "王芳", "wang.fang@yuanhang.example", "finance", "900", 5 },
	{ "刘畅", "liu.chang@yuanhang.example", "service", "800", 1 },
	{ "郑立新", "zheng.lixin@yuanhang.example", "exec", "1600", -1 },
};

static const char *const surnames_zh[] = { "张", "王", "李", "赵", "陈", "杨", "吴", "刘",
					   "黄", "周", "徐", "孙", "胡", "朱", "高", "林",
					   "何", "郭", "马", "罗" };
static const char *const given_zh[] = { "伟", "静", "磊", "敏", "婷", "杰", "丽", "强", "洋",
					"军", "燕", "涛", "明", "慧", "建华", "晓东", "海燕",
					"志强", "文博", "雪梅" };
static const char *const titles_zh[] = { "总经理", "财务总监", "IT 经理", "生产副总",
					 "项目经理", "采购经理", "信息部主管", "仓储主管" };
static const char *const topics_zh[] = {
	"项目周例会", "月度进度汇报", "发票问题沟通", "范围变更申请", "上线切换计划",
	"用户培训安排", "数据迁移", "接口联调测试", "续约洽谈", "问题升级跟进",
	"季度业务回顾", "需求调研会", "售后问题清单", "预算评审", "UAT 反馈",
};
static const struct ticket_def tickets_zh[] = {
	{ "重置密码后无法登录", "incident" },
	{ "报表导出超时", "incident" },
	{ "发票 PDF 上的税率错误", "incident" },
	{ "库存数量不同步", "incident" },
	{ "月结太慢，财务加班", "complaint" },
	{ "申请：新增用户账号", "request" },
	{ "投诉：承诺的回电没有兑现", "complaint" },
	{ "仓库扫码枪接口报错", "incident" },
	{ "咨询许可证条款", "question" },
	{ "变更：采购订单增加审批环节", "change" },
	{ "仪表盘数据没有刷新", "incident" },
	{ "升级后打印机映射丢失", "incident" },
};
static const char *const tasks_zh[] = {
	"项目启动", "需求调研", "方案设计", "系统配置", "数据迁移", "接口集成",
	"系统测试", "用户培训", "上线切换", "上线支持", "文档编写", "安全评审",
};
static const char *const subtasks_zh[][3] = {
	{ "启动会", "项目章程", "干系人分析" },
	{ "业务访谈", "需求清单", "差异分析" },
	{ "蓝图设计", "数据模型", "权限方案" },
	{ "系统参数配置", "定制报表开发", "打印单据格式" },
	{ "数据清洗", "迁移演练", "正式导入" },
	{ "接口规格说明", "接口开发", "端到端联调" },
	{ "测试用例编写", "用户验收测试", "缺陷修复" },
	{ "培训教材", "关键用户培训", "最终用户培训" },
	{ "切换方案", "周末切换", "上线决策会" },
	{ "每日站会", "问题分派", "移交运维" },
	{ "用户手册", "管理员手册", "运维手册" },
	{ "渗透测试", "角色权限复核", "安全验收" },
};
static const char *const projects_zh[] = {
	"ERP 实施", "数据仓库建设", "CRM 迁移", "移动巡检应用", "年度运维服务", "信息安全审计",
	"上云迁移", "WMS 仓储系统实施", "薪资系统集成", "BI 经营分析看板", "电子发票对接", "网络改造",
};
static const char *const reqs_zh[] = { "所有列表支持导出 Excel", "单点登录", "中文增值税发票模板",
				       "移动端审批", "价格变更审计日志" };
static const struct opp_def opportunities_zh[] = {
	{ 0, "二厂 MES 系统上线", "negotiate", "老客户增购", NULL, 180000, 0, -75, 20, 0, 0 },
	{ 0, "2027 年运维服务续约", "propose", "续约", NULL, 60000, 80, -30, 40, 0, 0 },
	{ 1, "仓库扫码改造", "qualify", "客户来电", NULL, 45000, 0, -10, 75, 0, 1 },
	{ 2, "经营分析报表二期", "won", "老客户增购", NULL, 70000, 0, -120, -60, -50, 1 },
	{ 3, "主数据治理", "lost", "问题升级", "客户选择自建团队", 35000, 0, -90, -25, -20, 1 },
	{ 4, "机组排班应用", "propose", "客户推荐", NULL, 120000, 0, -40, 10, 0, 1 },
	{ 5, "线上商城小程序", "negotiate", "展会", NULL, 90000, 70, -60, -5, 0, 0 },
	{ 6, "2027 年渗透测试", "won", "客户来电", NULL, 25000, 0, -45, -20, -15, 0 },
	{ 8, "在线预订平台", "qualify", "官网", NULL, 40000, 0, -5, 100, 0, 1 },
	{ 9, "SAP S/4HANA 二期", "negotiate", "渠道伙伴", NULL, 200000, 0, -100, 30, 0, 0 },
	{ 9, "MES 系统实施", "won", "老客户", NULL, 80000, 0, -160, -75, -70, 0 },
	{ 10, "仓储系统升级", "propose", "老客户", NULL, 50000, 0, -20, 60, 0, 1 },
	{ 11, "跨境订单对接", "lost", "展会", "价格高于竞争对手", 30000, 0, -100, -45, -40, 1 },
};

/* The firm keeps its books in euros and bills its Chinese customers in yuan: a team currency,
 * and a month-end CNY>EUR rate for the two years of history (a gentle drift, no randomness). */
/* What a Chinese customer's amounts are multiplied by: drawn as euros, billed in yuan. */
#define PER_EUR(cu) ((cu)->zh ? g->v->alt_mult : g->v->mult)
#define CURRENCY(cu) ((cu)->zh ? g->v->alt_currency : g->v->currency)

static void make_rates(struct gen *g)
{
	struct record *r = mk(g, "setting");
	put(g, r, "name", "currency.default");
	put(g, r, "value", g->v->currency);
	save(g, r, NULL);
	for (long m = 24; m >= 0 && !g->rc; m--) {
		struct record *fx = mk(g, "fx");
		put(g, fx, "from", g->v->alt_currency);
		put(g, fx, "to", g->v->currency);
		putf(g, fx, "rate", "%.4f", g->v->rate_base + g->v->rate_step * (double)((m * 7) % 9));
		putday(g, fx, "as_of", -30 * m - 2);
		put(g, fx, "source", g->v->rate_source);
		save(g, fx, NULL);
	}
}

static void make_members(struct gen *g)
{
	const struct member_def *team = g->v->team;
	for (size_t i = 0; i < g->v->nteam; i++) {
		struct record *r = mk(g, "member");
		put(g, r, "name", team[i].name);
		put(g, r, "email", team[i].email);
		put(g, r, "role", team[i].role);
		put(g, r, "rate", team[i].rate);
		put(g, r, "currency", g->v->currency);
		save(g, r, g->members[i]);
	}
	g->nmembers = (int)g->v->nteam;
	/* A second pass: who one reports to may be made after them. */
	for (size_t i = 0; i < g->v->nteam && !g->rc; i++) {
		struct record *r = NULL;
		if (team[i].boss < 0 || (g->rc = store_get(g->w->st, &g->w->sc, g->members[i], &r, g->e)))
			continue;
		put(g, r, "reports_to", g->members[team[i].boss]);
		if (!g->rc)
			g->rc = ws_save(g->w, r, g->e);
		record_free(r);
	}
}

#define PM(g) ((g)->members[rng_below(2)])
#define ENG(g) ((g)->members[rng_below(3)])
#define SERVICE(g) ((g)->members[4])
#define FINANCE(g) ((g)->members[3])
#define EXEC(g) ((g)->members[5])

static void person_name(struct gen *g, struct record *r, bool zh)
{
	if (g->v->zh)
		putf(g, r, "name", "%s%s", PICK(surnames_zh), PICK(given_zh));
	else if (zh)
		put(g, r, "name", PICK(name_zh));
	else
		putf(g, r, "name", "%s %s", PICK(first_en), PICK(last_en));
}

/* Tasks of one project: phases with 1-3 subtasks each, progress following the project's age. */
static void make_wbs(struct gen *g, const char *proj, const char *status, long start, long len,
		     const char *milestones[], int nms)
{
	int phases = (int)rnd(3, 5);
	for (int p = 0; p < phases && !g->rc; p++) {
		char phase[33];
		long ps = start + len * p / phases, pe = start + len * (p + 1) / phases;
		double elapsed = (double)(g->today - ps) / (double)(pe - ps > 0 ? pe - ps : 1);
		struct record *r = mk(g, "task");
		put(g, r, "project", proj);
		size_t named = (size_t)(p * 2 + (int)rng_below(2)) % g->v->ntasks;
		put(g, r, "name", g->v->task_names[named]);
		putday(g, r, "start", ps - g->today);
		putday(g, r, "due", pe - g->today);
		putf(g, r, "estimate", "%ld", rnd(16, 120));
		put(g, r, "assignee", ENG(g));
		if (nms)
			put(g, r, "milestone", milestones[p * nms / phases]);
		const char *st = "todo";
		long prog = 0;
		if (!strcmp(status, "done") || elapsed >= 1.2) {
			st = "done";
			prog = 100;
		} else if (!strcmp(status, "cancelled") || !strcmp(status, "planned")) {
			st = "todo";
		} else if (elapsed > 0) {
			prog = (long)(elapsed * 80) + rnd(0, 15);
			prog = prog > 95 ? 95 : prog;
			st = rng_below(6) == 0 ? "blocked" : prog > 80 ? "review" : "doing";
		}
		put(g, r, "status", st);
		putf(g, r, "progress", "%ld", prog);
		if (p == phases - 1)
			put(g, r, "key", "true");
		save(g, r, phase);
		int subs = (int)rnd(1, 3);
		for (int s = 0; s < subs && !g->rc; s++) {
			struct record *t = mk(g, "task");
			put(g, t, "project", proj);
			put(g, t, "parent", phase);
			put(g, t, "name", g->v->subtasks[named][s]);
			putday(g, t, "start", ps - g->today);
			putday(g, t, "due", pe - g->today);
			putf(g, t, "estimate", "%ld", rnd(8, 40));
			put(g, t, "assignee", ENG(g));
			put(g, t, "status", st);
			putf(g, t, "progress", "%ld", prog);
			save(g, t, NULL);
		}
	}
}

static void make_project(struct gen *g, const struct cust *cu, const char *cid, int idx,
			 const char *status, const char *contract)
{
	char pid[33];
	long start, len = rnd(90, 240);
	if (!strcmp(status, "planned"))
		start = rnd(10, 60);
	else if (!strcmp(status, "done"))
		start = -len - rnd(20, 120);
	else
		start = -rnd(len / 4, len * 3 / 4);
	start += g->today; /* from here on, days since the epoch */
	double rate = (double)rnd(90, 140) * PER_EUR(cu);
	struct record *r = mk(g, "project");
	put(g, r, "customer", cid);
	putf(g, r, "code", "P-%03d", idx + 101);
	const char *pname = g->v->project_names[(size_t)idx % g->v->nprojects];
	if (cu->zh && !g->v->zh)
		pname = idx % 2 ? "仓储管理系统实施" : "数据平台升级";
	put(g, r, "name", pname);
	put(g, r, "type", idx % 3 == 2 ? "time_and_materials" : "fixed_price");
	put(g, r, "status", status);
	const char *manager = PM(g);
	put(g, r, "manager", manager);
	putday(g, r, "start", start - g->today);
	putday(g, r, "due", start + len - g->today);
	putf(g, r, "budget", "%ld", rnd(40, 160) * 1000 * PER_EUR(cu));
	putf(g, r, "rate", "%.0f", rate);
	put(g, r, "currency", CURRENCY(cu));
	if (contract)
		put(g, r, "contract", contract);
	putf(g, r, "description", g->v->desc_fmt, cu->zh && !g->v->zh ? "Implementation" : pname,
	     cu->name);
	save(g, r, pid);
	if (!g->rc && g->nproj < (int)ARRAY_LEN(g->proj)) {
		struct demo_proj *dp = &g->proj[g->nproj++];
		memcpy(dp->id, pid, sizeof dp->id);
		memcpy(dp->manager, manager, sizeof dp->manager); /* one of g->members */
		snprintf(dp->customer, sizeof dp->customer, "%s", cid);
		dp->status = status;
		dp->start = start;
		dp->len = len;
	}
	/* Milestones: design, build, go-live; some done on time, one late, future ones open. */
	char ms[3][33];
	const char *msp[3];
	for (int m = 0; m < 3 && !g->rc; m++) {
		long due = start + len * (m + 1) / 3;
		struct record *mr = mk(g, "milestone");
		put(g, mr, "project", pid);
		put(g, mr, "name", g->v->milestones[m]);
		putday(g, mr, "due", due - g->today);
		put(g, mr, "deliverable", g->v->deliverables[m]);
		/* Past milestones are done — some late — except that every other active project
		 * has its latest one still open: overdue, as real portfolios have. One whose late
		 * finish would fall after today is not done yet: it stays open, overdue (a done
		 * date in the future would be a delivery that has not happened). */
		bool next_past = start + len * (m + 2) / 3 >= g->today;
		bool overdue = !strcmp(status, "active") && idx % 2 == 0 && next_past;
		if (due < g->today && strcmp(status, "cancelled") && !overdue) {
			long done = due + (rng_below(4) == 0 ? rnd(3, 15) : 0);
			if (done <= g->today)
				putday(g, mr, "done", done - g->today);
		}
		save(g, mr, ms[m]);
		msp[m] = ms[m];
	}
	make_wbs(g, pid, status, start, len, msp, 3);
	if (!strcmp(status, "planned"))
		return;
	/* Time entries on worked days so far, and a few expenses. */
	long from = start - g->today, end = !strcmp(status, "active") ? 0 : from + len;
	if (end > 0)
		end = 0;
	for (long d = from; d < end && !g->rc; d += rnd(2, 5)) {
		struct record *t = mk(g, "time");
		put(g, t, "project", pid);
		put(g, t, "member", ENG(g));
		putday(g, t, "date", d);
		putf(g, t, "hours", "%.1f", (double)rnd(4, 16) / 2);
		put(g, t, "billable", rng_below(8) ? "true" : "false");
		put(g, t, "note", pick(g->v->task_names, g->v->ntasks));
		save(g, t, NULL);
	}
	for (int x = 0; x < 3 && !g->rc; x++) {
		static const char *cats[] = { "travel", "licences", "hosting", "training" };
		struct record *e = mk(g, "expense");
		put(g, e, "project", pid);
		putday(g, e, "date", from + rnd(0, end - from > 0 ? end - from : 0));
		putf(g, e, "amount", "%ld", rnd(2, 40) * 50 * PER_EUR(cu));
		put(g, e, "category", PICK(cats));
		save(g, e, NULL);
	}
}

/* How a Chinese team heads an interaction's summary by its kind. */
static const char *ikind_zh(const char *kind)
{
	static const char *const map[][2] = { { "call", "电话" },  { "email", "邮件" },
					      { "meeting", "会议" }, { "visit", "拜访" },
					      { "chat", "微信" },  { "note", "备注" } };
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (!strcmp(map[i][0], kind))
			return map[i][1];
	return kind;
}

static void make_customer(struct gen *g, const struct cust *cu, const char *parent, char *cid,
			  int *pidx)
{
	struct record *r = mk(g, "customer");
	put(g, r, "name", cu->name);
	put(g, r, "industry", cu->industry);
	put(g, r, "region", cu->region);
	put(g, r, "size", cu->size);
	/* A story the stage history tells: won long ago, then loyal, at risk or gone lately; leads
	 * and prospects are recent. (The second write draws nothing from the generator.) */
	bool moved = !strcmp(cu->stage, "loyal") || !strcmp(cu->stage, "at_risk") ||
		     !strcmp(cu->stage, "churned");
	bool won = moved || !strcmp(cu->stage, "active");
	put(g, r, "stage", moved ? "active" : cu->stage);
	putday(g, r, "stage_since", won ? -400 - 20L * cu->projects : -25 - 5L * cu->last_seen);
	put(g, r, "owner", g->members[rng_below(2)]);
	if (parent)
		put(g, r, "parent", parent);
	putf(g, r, "website", "https://%s", cu->website);
	put(g, r, "tags", *cu->tags ? cu->tags : NULL);
	put(g, r, "renewal_intent", cu->renewal);
	put(g, r, "address", cu->address);
	save(g, r, cid);
	if (moved && !g->rc) {
		struct record *c = NULL;
		if (!(g->rc = store_get(g->w->st, &g->w->sc, cid, &c, g->e))) {
			put(g, c, "stage", cu->stage);
			putday(g, c, "stage_since", !strcmp(cu->stage, "loyal") ? -200
						    : !strcmp(cu->stage, "churned") ? -110 : -40);
			if (!g->rc)
				g->rc = ws_save(g->w, c, g->e);
		}
		record_free(c);
	}

	/* People: a sponsor and 1-3 reports. */
	char contacts[4][33];
	int nc = (int)rnd(2, 4);
	for (int i = 0; i < nc && !g->rc; i++) {
		struct record *p = mk(g, "contact");
		put(g, p, "customer", cid);
		person_name(g, p, cu->zh);
		put(g, p, "title", i == 0 ? g->v->sponsor_title : pick(g->v->titles, g->v->ntitles));
		put(g, p, "role", i == 0 ? "sponsor" : PICK(roles));
		putf(g, p, "email", "contact%d@%s", i + 1, cu->website);
		if (g->v->zh) /* a mobile: +86 1xx xxxx xxxx */
			putf(g, p, "phone", "+86 1%ld%ld %04ld %04ld", rnd(3, 9), rnd(0, 9), rnd(0, 9999),
			     rnd(0, 9999));
		else
			putf(g, p, "phone", "+%ld %ld %04ld", rnd(1, 86), rnd(100, 999), rnd(0, 9999));
		if (i)
			put(g, p, "reports_to", contacts[0]);
		put(g, p, "key", i < 2 ? "true" : "false");
		save(g, p, contacts[i]);
	}

	/* A year of interactions, thinning out for customers that went quiet. */
	int n = !strcmp(cu->stage, "lead") ? 3 : !strcmp(cu->stage, "churned") ? 8 : (int)rnd(14, 26);
	for (int i = 0; i < n && !g->rc; i++) {
		long ago = i == 0 ? cu->last_seen : cu->last_seen + rnd(1, 365 - cu->last_seen > 1 ? 365 - cu->last_seen : 1);
		struct record *a = mk(g, "interaction");
		const char *kind = PICK(ikinds);
		put(g, a, "customer", cid);
		put(g, a, "contact", contacts[rng_below((uint64_t)nc)]);
		put(g, a, "kind", kind);
		putstamp(g, a, "at", -ago, (int)rnd(8 * 60, 17 * 60));
		if (g->v->zh)
			putf(g, a, "summary", "%s：%s", ikind_zh(kind), pick(g->v->topics, g->v->ntopics));
		else
			putf(g, a, "summary", "%s: %s", kind, PICK(topics));
		if (rng_below(3) == 0)
			putf(g, a, "body", g->v->body_fmt, pick(g->v->topics, g->v->ntopics));
		bool exec_ = rng_below(6) == 0;
		put(g, a, "by", exec_ ? EXEC(g) : g->members[rng_below(2)]);
		put(g, a, "executive", exec_ ? "true" : "false");
		put(g, a, "direction", rng_below(2) ? "in" : "out");
		save(g, a, NULL);
	}

	/* Contracts, with one ending within a week for the active Tailspin account. */
	char contract[33] = "";
	if (strcmp(cu->stage, "lead") && strcmp(cu->stage, "prospect")) {
		struct record *k = mk(g, "contract");
		long start = -rnd(200, 500);
		long end = !strcmp(cu->name, g->v->ending_soon) ? 5
			   : !strcmp(cu->stage, "churned")         ? -90
								   : start + 730;
		put(g, k, "customer", cid);
		putf(g, k, "number", "C-%04ld", rnd(1000, 9999));
		putf(g, k, "title", g->v->msa_fmt, cu->name);
		putf(g, k, "value", "%ld", rnd(80, 600) * 1000 * PER_EUR(cu));
		put(g, k, "currency", CURRENCY(cu));
		putday(g, k, "signed", start - 10);
		putday(g, k, "start", start);
		putday(g, k, "end", end);
		put(g, k, "status", end < 0 ? "expired" : "active");
		put(g, k, "renewal", rng_below(2) ? "manual" : "auto");
		save(g, k, contract);
	} else {
		struct record *q = mk(g, "quote");
		put(g, q, "customer", cid);
		putf(g, q, "number", "Q-%04ld", rnd(1000, 9999));
		putf(g, q, "amount", "%ld", rnd(20, 200) * 1000 * PER_EUR(cu));
		put(g, q, "currency", CURRENCY(cu));
		putday(g, q, "date", -rnd(5, 40));
		put(g, q, "status", "sent");
		save(g, q, NULL);
	}

	/* Projects in every status across the portfolio. */
	static const char *statuses[] = { "active", "done", "planned", "paused", "cancelled",
					  "active", "done" };
	for (int p = 0; p < cu->projects && !g->rc; p++) {
		const char *st = !strcmp(cu->stage, "churned") ? "cancelled"
				 : !strcmp(cu->stage, "prospect") ? "planned"
								   : statuses[(*pidx) % ARRAY_LEN(statuses)];
		make_project(g, cu, cid, (*pidx)++, st, *contract ? contract : NULL);
	}

	/* Invoices: monthly for a year — most paid, some late, the latest open. */
	if (*contract) {
		int months = !strcmp(cu->stage, "churned") ? 4 : 10;
		for (int m = months; m >= 1 && !g->rc; m--) {
			struct record *iv = mk(g, "invoice");
			long issued = 15 - 30L * m - (!strcmp(cu->stage, "churned") ? 120 : 0);
			long amount = rnd(8, 40) * 500 * PER_EUR(cu);
			put(g, iv, "customer", cid);
			put(g, iv, "contract", contract);
			putf(g, iv, "number", "INV-%ld-%02d", 2000 + (g->count % 900), m);
			putf(g, iv, "amount", "%ld", amount);
			putday(g, iv, "issued", issued);
			putday(g, iv, "due", issued + 30);
			bool late_payer = !strcmp(cu->stage, "at_risk") || cu->last_seen > 30;
			char iid[33];
			save(g, iv, iid);
			if (m > 2 && !(late_payer && m <= 4))
				receipt(g, iid, cid, amount, issued + rnd(10, late_payer ? 70 : 35));
			else if (m == 2 && !late_payer)
				receipt(g, iid, cid, amount / 2, issued + 12);
		}
	}

	/* Tickets: a few, the at-risk customer with an open complaint. */
	int nt = !strcmp(cu->stage, "lead") ? 0 : (int)rnd(1, 5);
	for (int t = 0; t < nt && !g->rc; t++) {
		static const char *sev[] = { "low", "medium", "high", "critical" };
		long opened = -rnd(1, 200);
		bool open_ = opened > -20 || (!strcmp(cu->stage, "at_risk") && t == 0);
		struct record *k = mk(g, "ticket");
		put(g, k, "customer", cid);
		put(g, k, "contact", contacts[rng_below((uint64_t)nc)]);
		/* The kind goes with the title; the draw it once had is still made, so the
		 * records after it stay as they were. */
		bool complaint = !strcmp(cu->stage, "at_risk") && t == 0;
		if (!complaint)
			(void)rng_below(5);
		put(g, k, "severity", complaint ? "high" : PICK(sev));
		const struct ticket_def *td = &g->v->tickets[rng_below(g->v->ntickets)];
		put(g, k, "kind", complaint ? "complaint" : td->kind);
		put(g, k, "title", complaint ? g->v->complaint : td->title);
		putstamp(g, k, "opened", opened, 9 * 60);
		putstamp(g, k, "first_response", opened, 9 * 60 + (int)rnd(20, 600));
		if (!open_) {
			putstamp(g, k, "resolved", opened + rnd(0, 10), 16 * 60);
			put(g, k, "status", "closed");
			put(g, k, "resolution", g->v->resolution);
		} else
			put(g, k, "status", rng_below(2) ? "open" : "pending");
		put(g, k, "owner", SERVICE(g));
		putf(g, k, "sla", "%d", 24);
		if (rng_below(5) == 0)
			put(g, k, "reopened", "1");
		save(g, k, NULL);
	}

	/* Surveys: NPS and CSAT, detractors where things are going badly. */
	if (strcmp(cu->stage, "lead") && strcmp(cu->stage, "prospect")) {
		bool unhappy = !strcmp(cu->stage, "at_risk") || !strcmp(cu->stage, "churned");
		for (int s = 0; s < 3 && !g->rc; s++) {
			struct record *sv = mk(g, "survey");
			bool nps = s != 1;
			put(g, sv, "customer", cid);
			put(g, sv, "contact", contacts[rng_below((uint64_t)nc)]);
			put(g, sv, "kind", nps ? "nps" : "csat");
			putf(g, sv, "score", "%ld",
			     nps ? (unhappy ? rnd(2, 6) : rnd(7, 10)) : (unhappy ? rnd(1, 3) : rnd(4, 5)));
			putday(g, sv, "date", -rnd(5, 170));
			if (unhappy && s == 0)
				put(g, sv, "comment", g->v->unhappy);
			save(g, sv, NULL);
		}
	}

	/* Requirements and a follow-up task for the account owner. */
	int nr = (int)rnd(0, 2);
	for (int q = 0; q < nr && !g->rc; q++) {
		struct record *rq = mk(g, "requirement");
		put(g, rq, "customer", cid);
		put(g, rq, "title", pick(g->v->reqs, g->v->nreqs));
		put(g, rq, "type", "feature");
		put(g, rq, "urgency", q ? "medium" : "high");
		put(g, rq, "priority", "medium");
		putday(g, rq, "expected", rnd(20, 120));
		put(g, rq, "status", q ? "accepted" : "new");
		save(g, rq, NULL);
	}
	if (!strcmp(cu->stage, "at_risk") && !g->rc) {
		struct record *t = mk(g, "task");
		put(g, t, "customer", cid);
		put(g, t, "name", g->v->care_task);
		put(g, t, "assignee", g->members[0]);
		putday(g, t, "due", 2);
		put(g, t, "key", "true");
		save(g, t, NULL);
	}
}

/* ---- the projects' way through the delivery process ---- */

/* Once the records exist, the demo replays each project's history through the process engine
 * (process_advance, process_decide), on the days it happened (clock_pretend) and as the member
 * who did each step (ws_set_author): so phases, transitions and approvals are the engine's own,
 * as `rapport advance` and `rapport approve` would have written them. Done projects reach
 * operations, active ones sit in the middle, planned ones at requirements or before; some
 * wait for decisions: the demo user's (one overdue), a customer sponsor's, a change request. */

static int member_index(struct gen *g, const char *id)
{
	for (int i = 0; i < g->nmembers; i++)
		if (!strcmp(g->members[i], id))
			return i;
	return ME;
}

static void play(struct gen *g, const char *member)
{
	int i = member_index(g, member);
	ws_set_author(g->w, g->v->team[i].name, g->v->team[i].email);
}

/* A day of the project's history, at a minute after the last write so they keep their order. */
static void on_day(struct gen *g, long day, int hour)
{
	clock_pretend((time_t)day * 86400 + hour * 3600 + (g->minute++ % 50) * 60);
}

/* The sales pipeline: what each customer may buy next, some of it won or lost this year.
 * Fixed, not drawn: made after everything else, it leaves the random numbers of the records
 * before it as they were. Days are from today; amounts in euros, a Chinese customer's billed in
 * yuan (PER_EUR). The wins are older sales, their contracts made before rapport. */
static const struct opp_def opportunities_en[] = {
	{ 0, "MES rollout, plant 2", "negotiate", "account growth", NULL, 180000, 0, -75, 20, 0, 0 },
	{ 0, "Support renewal 2027", "propose", "renewal", NULL, 60000, 80, -30, 40, 0, 0 },
	{ 1, "Warehouse scanning", "qualify", "inbound", NULL, 45000, 0, -10, 75, 0, 1 },
	{ 2, "Reporting, phase 2", "won", "account growth", NULL, 70000, 0, -120, -60, -50, 1 },
	{ 3, "Master data cleanup", "lost", "escalation", "chose an in-house team", 35000, 0, -90,
	  -25, -20, 1 },
	{ 4, "Crew scheduling app", "propose", "referral", NULL, 120000, 0, -40, 10, 0, 1 },
	{ 5, "Online store app", "negotiate", "trade fair", NULL, 90000, 70, -60, -5, 0, 0 },
	{ 6, "Penetration test 2027", "won", "inbound", NULL, 25000, 0, -45, -20, -15, 0 },
	{ 8, "Booking portal", "qualify", "website", NULL, 40000, 0, -5, 100, 0, 1 },
	{ 9, "SAP S/4HANA 二期", "negotiate", "渠道伙伴", NULL, 200000, 0, -100, 30, 0, 0 },
	{ 9, "MES 系统实施", "won", "老客户", NULL, 80000, 0, -160, -75, -70, 0 },
	{ 10, "仓储系统升级", "propose", "老客户", NULL, 50000, 0, -20, 60, 0, 1 },
	{ 11, "经营分析报表平台", "lost", "展会", "价格高于竞争对手", 30000, 0, -100, -45, -40, 1 },
};

static const struct vocab vocab_en = {
	.zh = false, .currency = "EUR", .alt_currency = "CNY", .mult = 1, .alt_mult = 8,
	.rate_base = 0.1254, .rate_step = 0.0004, .rate_source = "month-end reference rate",
	.customers = VEC(customers_en), .team = VEC(team_en), .sponsor_title = "CIO",
	.titles = VEC(titles), .topics = VEC(topics), .tickets = VEC(tickets_en),
	.complaint = "Complaint: missed callback", .task_names = VEC(task_names),
	.subtasks = subtasks_en, .project_names = VEC(project_names),
	.milestones = { "Design sign-off", "Build complete", "Go-live" },
	.deliverables = { "Design document", "Tested release", "Production system" },
	.reqs = VEC(reqs_en), .opps = VEC(opportunities_en),
	.billing = { "Advance 30%", "Blueprint accepted 30%", "Go-live 30%", "Final acceptance 10%" },
	.ending_soon = "Tailspin Airlines",
	.desc_fmt = "%s for %s.\nScope agreed in the kick-off; see the SOW.",
	.msa_fmt = "Master services agreement — %s",
	.body_fmt = "Notes from the %s.\nAgreed next steps and owners; follow-up in two weeks.",
	.resolution = "Fixed and confirmed with the customer.",
	.unhappy = "Deadlines keep slipping and nobody tells us why.",
	.care_task = "Call the sponsor about the escalation",
	.comment = "Escalated to Maria; weekly calls until the data issues are fixed.",
	.change_title = "Second distribution centre in scope",
	.change_desc = "The customer opens a second distribution centre in March and wants it live "
		       "with the first.",
	.change_scope = "Receiving, putaway and cycle counts at the second site; one more training "
			"day; data migration of its item master.",
	.reject_reason = "The blueprint leaves out cross-docking; revise it and send it again.",
	.evidence_fmt = "%s %s, mail of %s", .signed_off = "signed off", .turned_down = "turned down",
};

static const struct vocab vocab_zh = {
	.zh = true, .currency = "CNY", .alt_currency = "USD", .mult = 7, .alt_mult = 1,
	.rate_base = 7.0950, .rate_step = 0.0120, .rate_source = "月末参考汇率",
	.customers = VEC(customers_zh), .team = VEC(team_zh), .sponsor_title = "信息总监（CIO）",
	.titles = VEC(titles_zh), .topics = VEC(topics_zh), .tickets = VEC(tickets_zh),
	.complaint = "投诉：承诺的回电没有兑现", .task_names = VEC(tasks_zh),
	.subtasks = subtasks_zh, .project_names = VEC(projects_zh),
	.milestones = { "蓝图确认", "初验", "终验" },
	.deliverables = { "蓝图设计说明书", "初验报告", "终验报告" },
	.reqs = VEC(reqs_zh), .opps = VEC(opportunities_zh),
	.billing = { "预付款 30%", "蓝图验收 30%", "初验 30%", "终验 10%" },
	.ending_soon = "成都天府航空服务有限公司",
	.desc_fmt = "%s：%s。\n范围已在启动会上确认，详见工作说明书（SOW）。",
	.msa_fmt = "%s 实施服务框架合同",
	.body_fmt = "%s纪要。\n已明确下一步工作和负责人，两周后跟进。",
	.resolution = "已修复，并与客户确认。",
	.unhappy = "交付一再延期，也没有人告诉我们原因。",
	.care_task = "就问题升级给客户发起人打电话",
	.comment = "已升级给郑总；数据问题解决前每周电话沟通。",
	.change_title = "第二配送中心纳入实施范围",
	.change_desc = "客户三月启用第二配送中心，希望与第一中心同时上线。",
	.change_scope = "第二仓的收货、上架和循环盘点；增加一天培训；迁移该仓的物料主数据。",
	.reject_reason = "蓝图遗漏了越库作业，请修改后重新提交。",
	.evidence_fmt = "%s%s，%s 邮件", .signed_off = "已签字确认", .turned_down = "未通过",
};

static void make_pipeline(struct gen *g, char (*cids)[33])
{
	const struct opp_def *opportunities = g->v->opps;
	for (size_t i = 0; i < g->v->nopps && !g->rc; i++) {
		const struct cust *cu = &g->v->customers[opportunities[i].cust];
		struct record *r = mk(g, "opportunity");
		on_day(g, g->today + opportunities[i].created, 11);
		play(g, g->members[opportunities[i].owner]);
		put(g, r, "customer", cids[opportunities[i].cust]);
		put(g, r, "name", opportunities[i].name);
		putf(g, r, "amount", "%ld", opportunities[i].amount * PER_EUR(cu));
		put(g, r, "currency", CURRENCY(cu));
		if (opportunities[i].probability)
			putf(g, r, "probability", "%ld", opportunities[i].probability);
		put(g, r, "stage", strcmp(opportunities[i].stage, "lost") &&
					   strcmp(opportunities[i].stage, "won")
				       ? opportunities[i].stage
				       : "negotiate");
		putday(g, r, "expected_close", opportunities[i].expected);
		put(g, r, "source", opportunities[i].source);
		put(g, r, "owner", g->members[opportunities[i].owner]);
		if (g->rc || (g->rc = ws_add(g->w, r, g->e))) {
			record_free(r);
			break;
		}
		tick(g);
		if (opportunities[i].closed) {
			/* Closed later, on its own day: the cycle time counts from creation to here. */
			on_day(g, g->today + opportunities[i].closed, 16);
			put(g, r, "stage", opportunities[i].stage);
			putday(g, r, "closed", opportunities[i].closed);
			put(g, r, "lost_reason", opportunities[i].lost_reason);
			if (!g->rc)
				g->rc = ws_save(g->w, r, g->e);
		}
		record_free(r);
	}
	clock_pretend(0);
	play(g, g->members[ME]);
}

/* Payment plans for the active projects under a contract: 30% in advance, 30% when the first
 * milestone is accepted, 30% at the last but one milestone, 10% three months after the end
 * (the Chinese 3-3-3-1). The oldest plan's advance is invoiced, issued and paid. Ids derive
 * from the project's, so nothing is drawn from the seeded generator. */
static void make_billing(struct gen *g)
{
	int plans = 0;
	for (int i = 0; i < g->nproj && plans < 3 && !g->rc; i++) {
		struct record *p = NULL, *k = NULL;
		struct recs ms = { 0 };
		struct query q;
		if (strcmp(g->proj[i].status, "active") || store_get(g->w->st, &g->w->sc, g->proj[i].id, &p, g->e) ||
		    !record_get(p, "contract") ||
		    store_get(g->w->st, &g->w->sc, record_get(p, "contract"), &k, g->e)) {
			err_clear(g->e);
			record_free(p);
			continue;
		}
		query_init(&q, schema_kind(&g->w->sc, "milestone"));
		q.cond[q.ncond++] = (struct qcond){ kind_field(q.ki, "project"), Q_EQ, p->id, NULL };
		ws_sort(g->w, &q, "due", g->e);
		g->rc = store_query(g->w->st, &q, recs_add, &ms, g->e);
		query_free(&q);
		const char *cur = record_get(k, "currency");
		bool zh = cur && !strcmp(cur, "CNY");
		if (!g->rc && ms.n >= 2) {
			static const char *const en[] = { "Advance 30%", "Blueprint accepted 30%",
							  "Go-live 30%", "Final acceptance 10%" };
			static const char *const cn[] = { "预付款 30%", "蓝图验收 30%", "上线 30%",
							  "终验 10%" };
			static const char *const trig[] = { "date", "acceptance", "milestone", "date" };
			static const int pct[] = { 30, 30, 30, 10 };
			char first[33] = "";
			for (int l = 0; l < 4 && !g->rc; l++) {
				struct record *b = mk(g, "billing");
				char key[48];
				snprintf(key, sizeof key, "%s %d", p->id, l);
				id_derived(b->id, "rapport demo billing ", key);
				put(g, b, "contract", k->id);
				put(g, b, "label", g->v->zh ? g->v->billing[l] : zh ? cn[l] : en[l]);
				putf(g, b, "percent", "%d", pct[l]);
				put(g, b, "trigger", trig[l]);
				if (l == 0)
					putday(g, b, "date", g->proj[i].start - g->today);
				else if (l == 3)
					putday(g, b, "date", g->proj[i].start + g->proj[i].len + 90 - g->today);
				else
					put(g, b, "milestone", ms.v[l == 1 ? 0 : ms.n - 2]->id);
				save(g, b, l == 0 ? first : NULL);
			}
			/* The first plan's advance went out and came in. */
			char inv[33], day[11];
			days_to_date(day, g->proj[i].start);
			if (!g->rc && !plans && !(g->rc = billing_draft(g->w, first, day, inv, g->e))) {
				struct record *iv = NULL;
				if (!(g->rc = store_get(g->w->st, &g->w->sc, inv, &iv, g->e))) {
					put(g, iv, "status", "issued");
					putf(g, iv, "number", "INV-%s-%03d", zh ? "CN" : "EU", 1);
					if (!g->rc)
						g->rc = ws_save(g->w, iv, g->e);
					if (!g->rc)
						receipt(g, inv, g->proj[i].customer, (long)strtod(record_get(iv, "amount"), NULL),
							g->proj[i].start + 20 - g->today);
				}
				record_free(iv);
			}
			plans++;
		}
		recs_free(&ms);
		record_free(p);
		record_free(k);
	}
}

static void pending_of(struct gen *g, const char *on, struct recs *out)
{
	const struct kindinfo *ak = schema_kind(&g->w->sc, "approval");
	struct query q;
	query_init(&q, ak);
	q.cond[0] = (struct qcond){ .f = kind_field(ak, "on"), .op = Q_EQ, .value = on };
	q.cond[1] = (struct qcond){ .f = kind_field(ak, "state"), .op = Q_EQ, .value = "pending" };
	q.ncond = 2;
	if (!g->rc)
		g->rc = store_query(g->w->st, &q, recs_add, out, g->e);
}

/* The lowest step first, then by id: the same pick on every run. */
static int cmp_step(const void *x, const void *y)
{
	const struct record *a = *(const struct record *const *)x, *b = *(const struct record *const *)y;
	int d = atoi(record_get(a, "step")) - atoi(record_get(b, "step"));
	return d ? d : strcmp(a->id, b->id);
}

/* Advances a record as `who` on a day; true when it moved (else it asked for approvals). */
static bool advance_on(struct gen *g, const char *id, const char *who, long day)
{
	struct advance a;
	if (g->rc)
		return false;
	on_day(g, day, 9);
	play(g, who);
	if ((g->rc = process_advance(g->w, id, NULL, false, NULL, &a, g->e)))
		return false;
	bool moved = a.moved;
	advance_free(&a);
	return moved;
}

/* Decides a record's pending approvals on a day, each by its approver (a customer contact's
 * recorded by the manager, with evidence), until it moves; a rejection decides one and stops. */
static void decide_on(struct gen *g, const char *id, const char *manager, long day,
		      const char *verb, const char *reason)
{
	for (int round = 0; round < 8 && !g->rc; round++) {
		struct recs pend = { NULL, 0 };
		pending_of(g, id, &pend);
		if (!pend.n) {
			recs_free(&pend);
			break;
		}
		qsort(pend.v, pend.n, sizeof *pend.v, cmp_step);
		const struct record *a = pend.v[0];
		const char *approver = record_get(a, "approver");
		char evidence[96], date[11];
		days_to_date(date, day);
		snprintf(evidence, sizeof evidence, g->v->evidence_fmt, record_get(a, "stage"),
			 !strcmp(verb, "approve") ? g->v->signed_off : g->v->turned_down, date);
		on_day(g, day, 10);
		play(g, approver ? approver : manager);
		struct advance out;
		g->rc = process_decide(g->w, a->id, verb, reason, approver ? NULL : evidence, &out, g->e);
		bool moved = !g->rc && out.moved;
		advance_free(&out);
		recs_free(&pend);
		if (moved || strcmp(verb, "approve"))
			break;
	}
}

enum walk_end {
	WALK_AT,       /* at the stage, working on it */
	WALK_ASKED,    /* its approvals to leave the stage asked for, pending */
	WALK_REJECTED, /* asked, and the first approver turned it down */
};

/* Takes a project from not started to stage `to`, entering stage i on when[i] (the approvals
 * to leave a stage asked for two days before, decided on the day); then, unless WALK_AT, asks
 * on day `ask` for the approvals to leave `to`. */
static void walk(struct gen *g, const struct proc *pr, const struct demo_proj *p, int to,
		 const long *when, enum walk_end end, long ask)
{
	for (int i = 0; i <= to && !g->rc; i++) {
		bool asks = i > 0 && pr->d.v[i - 1].nsteps > 0;
		if (!advance_on(g, p->id, p->manager, when[i] - (asks ? 2 : 0)))
			decide_on(g, p->id, p->manager, when[i], "approve", NULL);
	}
	if (end != WALK_AT && !advance_on(g, p->id, p->manager, ask) && end == WALK_REJECTED)
		decide_on(g, p->id, p->manager, ask + 2, "reject", g->v->reject_reason);
	/* The engine must have done what the demo says: a surprise here is a bug to see. */
	struct record *r = NULL;
	if (!g->rc && !(g->rc = store_get(g->w->st, &g->w->sc, p->id, &r, g->e))) {
		const char *at = record_get(r, "phase");
		if (!at || strcmp(at, pr->d.v[to].code))
			g->rc = err_set(g->e, RERR_RUNTIME, "demo: project %.8s is at %s, not %s", p->id,
					at ? at : "(not started)", pr->d.v[to].code);
	}
	record_free(r);
}

/* The days a project enters each stage, as planned: requirements reviewed ten days before its
 * start, kickoff on it, the rest evenly to operations on its due date; but stage `to` no later
 * than `last`, and each at least three days after the one before. */
static void schedule(const struct demo_proj *p, int n, int to, long last, long *when)
{
	when[0] = p->start - 10;
	for (int i = 1; i < n; i++)
		when[i] = p->start + p->len * (i - 1) / (n - 2);
	if (when[to] > last)
		when[to] = last;
	for (int i = to - 1; i >= 0; i--)
		if (when[i] > when[i + 1] - 3)
			when[i] = when[i + 1] - 3;
}

/* A change request on a project, asked of its manager: scope, days and cost for them to weigh. */
static void change_request(struct gen *g, const struct demo_proj *p)
{
	const struct kindinfo *ck = schema_kind(&g->w->sc, "contact");
	struct query q;
	struct recs sponsors = { NULL, 0 };
	char id[33];
	query_init(&q, ck);
	q.cond[0] = (struct qcond){ .f = kind_field(ck, "customer"), .op = Q_EQ, .value = p->customer };
	q.cond[1] = (struct qcond){ .f = kind_field(ck, "role"), .op = Q_EQ, .value = "sponsor" };
	q.ncond = 2;
	if (g->rc || (g->rc = store_query(g->w->st, &q, recs_add, &sponsors, g->e)))
		return;
	struct record *r = mk(g, "change");
	put(g, r, "project", p->id);
	put(g, r, "title", g->v->change_title);
	put(g, r, "description", g->v->change_desc);
	if (sponsors.n)
		put(g, r, "requested_by", sponsors.v[0]->id);
	put(g, r, "scope", g->v->change_scope);
	put(g, r, "days", "8");
	put(g, r, "cost", "18000");
	recs_free(&sponsors);
	save(g, r, id);
	if (!advance_on(g, id, p->manager, g->today - 3) || advance_on(g, id, p->manager, g->today - 1))
		if (!g->rc)
			g->rc = err_set(g->e, RERR_RUNTIME, "demo: change %.8s did not wait for approval", id);
}

static void walk_all(struct gen *g)
{
	struct proc pr = { 0 };
	long when[32];
	if (g->rc || (g->rc = process_seed(g->w, g->e)) ||
	    (g->rc = process_get(g->w, "erp-implementation", &pr, g->e)))
		return;
	int n = (int)pr.d.n;
	int req = procdef_find(&pr.d, "requirements"), blueprint = procdef_find(&pr.d, "blueprint"),
	    uat = procdef_find(&pr.d, "uat"), golive = procdef_find(&pr.d, "golive"),
	    final = procdef_find(&pr.d, "final_acceptance");
	if (n > (int)ARRAY_LEN(when) || req < 0 || blueprint < 0 || uat < 0 || golive < 0 || final < 0) {
		g->rc = err_set(g->e, RERR_RUNTIME, "demo: erp-implementation is not the default process");
		proc_free(&pr);
		return;
	}
	/* Whoever ran the demo is put back afterwards. */
	const char *full = ws_author(g->w), *em = ws_email(g->w);
	char *email = em ? xstrdup(em) : NULL, *name = xstrdup(full ? full : "");
	if (email && strlen(name) > strlen(email) + 3)
		name[strlen(name) - strlen(email) - 3] = '\0'; /* "Name <email>" */
	/* The most recently finished project still waits for the customer's final acceptance. */
	int last_done = -1, planned = 0;
	for (int i = 0; i < g->nproj; i++)
		if (!strcmp(g->proj[i].status, "done") &&
		    (last_done < 0 || g->proj[i].start + g->proj[i].len >
					      g->proj[last_done].start + g->proj[last_done].len))
			last_done = i;
	bool overdue = false, sponsor = false, asked = false;
	const struct demo_proj *changed = NULL;
	for (int i = 0; i < g->nproj && !g->rc; i++) {
		const struct demo_proj *p = &g->proj[i];
		bool mine = !strcmp(p->manager, g->members[ME]);
		/* Where the plan says it is today: stage i is entered on when[i] (schedule). */
		long natural = 1 + (g->today - p->start) * (n - 2) / (p->len > 0 ? p->len : 1);
		int to = -1;
		enum walk_end end = WALK_AT;
		long last = g->today - 1, ask = 0;
		if (!strcmp(p->status, "done")) {
			to = i == last_done ? final : n - 1;
			end = i == last_done ? WALK_ASKED : WALK_AT;
			ask = p->start + p->len < g->today ? p->start + p->len : g->today - 1;
			last = ask - 3;
		} else if (!strcmp(p->status, "active") && !overdue && mine) {
			/* Go-live waits for its manager, the demo user, past its SLA. */
			overdue = true;
			to = golive, end = WALK_ASKED, ask = g->today - 12, last = ask - 3;
		} else if (!strcmp(p->status, "active") && !sponsor) {
			/* UAT waits for the customer's sponsor. */
			sponsor = true;
			to = uat, end = WALK_ASKED, ask = g->today - 4, last = ask - 3;
		} else if (!strcmp(p->status, "active")) {
			to = natural < 3 ? 3 : natural > golive ? golive : (int)natural;
			if (mine)
				changed = p;
		} else if (!strcmp(p->status, "paused")) {
			/* Paused after the sponsor turned the blueprint down. */
			to = blueprint, end = WALK_REJECTED, ask = g->today - 20, last = ask - 3;
		} else if (!strcmp(p->status, "cancelled")) {
			to = natural < 1 ? 1 : natural > blueprint ? blueprint : (int)natural;
		} else if (!strcmp(p->status, "planned")) {
			/* The first of the demo user's waits for her requirements review; every other
			 * one is in it; the rest have not started. */
			int k = planned++;
			if (!asked && mine) {
				asked = true;
				to = req, end = WALK_ASKED, ask = g->today - 2, last = g->today - 8;
			} else if (k % 2) {
				to = req, last = g->today - 5;
			}
		}
		if (to < 0)
			continue;
		schedule(p, n, to, last, when);
		walk(g, &pr, p, to, when, end, ask);
	}
	if (changed)
		change_request(g, changed);
	clock_pretend(0);
	ws_set_author(g->w, name, email);
	free(name);
	free(email);
	proc_free(&pr);
}

static void make_small(struct gen *g)
{
	char ids[ARRAY_LEN(customers_en)][33];
	int pidx = 0;
	g->expect = 1500;
	make_members(g);
	for (size_t i = 0; i < g->v->ncust && !g->rc; i++)
		make_customer(g, &g->v->customers[i], i == 1 ? ids[0] : NULL, ids[i], &pidx);
	if (!g->rc) {
		struct record *cm = mk(g, "comment");
		put(g, cm, "on", ids[3]);
		put(g, cm, "body", g->v->comment);
		put(g, cm, "by", g->members[0]);
		putstamp(g, cm, "at", -3, 10 * 60);
		save(g, cm, NULL);
	}
	walk_all(g);
	make_rates(g); /* last: the records before draw the same random numbers as before */
	make_pipeline(g, ids);
	make_billing(g);
	/* The gates of the replayed history ran before the rates existed; they are here now. */
	store_fx_missing(NULL, true);
}

/* ---- synthetic, for benchmarks ---- */

static void make_synthetic(struct gen *g, long ncust)
{
	static const char *stages[] = { "lead", "prospect", "active", "active", "loyal", "at_risk",
					"churned" };
	static const char *pstat[] = { "planned", "active", "active", "paused", "done", "cancelled" };
	static const char *tstat[] = { "todo", "doing", "blocked", "review", "done" };
	static const char *industries[] = { "Manufacturing", "Retail", "Healthcare", "Finance",
					    "Logistics", "Technology", "Energy", "Public sector" };
	static const char *regions[] = { "EMEA", "NA", "APAC", "LATAM" };
	g->expect = ncust * 160;
	make_members(g);
	for (long c = 0; c < ncust && !g->rc; c++) {
		char cid[33], contact[3][33];
		bool zh = c % 5 == 4;
		struct record *r = mk(g, "customer");
		if (zh)
			putf(g, r, "name", "%s%s科技 %ld", PICK(name_zh), PICK(name_zh), c);
		else
			putf(g, r, "name", "%s %s Ltd %ld", PICK(last_en), PICK(industries), c);
		put(g, r, "industry", PICK(industries));
		put(g, r, "region", PICK(regions));
		put(g, r, "stage", PICK(stages));
		put(g, r, "owner", g->members[rng_below(2)]);
		save(g, r, cid);
		for (int i = 0; i < 3 && !g->rc; i++) {
			struct record *p = mk(g, "contact");
			put(g, p, "customer", cid);
			person_name(g, p, zh);
			put(g, p, "title", PICK(titles));
			putf(g, p, "email", "c%ld.%d@customer.example", c, i);
			save(g, p, contact[i]);
		}
		for (int i = 0; i < 100 && !g->rc; i++) {
			struct record *a = mk(g, "interaction");
			const char *kind = PICK(ikinds);
			put(g, a, "customer", cid);
			put(g, a, "contact", contact[rng_below(3)]);
			put(g, a, "kind", kind);
			putstamp(g, a, "at", -rnd(0, 730), (int)rnd(8 * 60, 18 * 60));
			putf(g, a, "summary", "%s: %s", kind, PICK(topics));
			put(g, a, "by", g->members[rng_below(3)]);
			save(g, a, NULL);
		}
		char contract[33];
		struct record *k = mk(g, "contract");
		long start = -rnd(30, 700);
		put(g, k, "customer", cid);
		putf(g, k, "title", "Services agreement %ld", c);
		putf(g, k, "value", "%ld", rnd(10, 500) * 1000);
		putday(g, k, "start", start);
		putday(g, k, "end", start + 730);
		save(g, k, contract);
		for (int p = 0; p < 2 && !g->rc; p++) {
			char pid[33];
			long ps = -rnd(0, 400), len = rnd(60, 300);
			struct record *pr = mk(g, "project");
			put(g, pr, "customer", cid);
			putf(g, pr, "name", "%s %ld", PICK(project_names), c * 2 + p);
			put(g, pr, "status", PICK(pstat));
			put(g, pr, "manager", g->members[rng_below(2)]);
			putday(g, pr, "start", ps);
			putday(g, pr, "due", ps + len);
			putf(g, pr, "budget", "%ld", rnd(20, 200) * 1000);
			putf(g, pr, "rate", "%ld", rnd(80, 150));
			put(g, pr, "contract", contract);
			save(g, pr, pid);
			char ms[33];
			struct record *m = mk(g, "milestone");
			put(g, m, "project", pid);
			put(g, m, "name", "Go-live");
			putday(g, m, "due", ps + len);
			save(g, m, ms);
			for (int t = 0; t < 10 && !g->rc; t++) {
				char tid[33];
				struct record *tk = mk(g, "task");
				put(g, tk, "project", pid);
				put(g, tk, "name", PICK(task_names));
				put(g, tk, "status", PICK(tstat));
				put(g, tk, "assignee", g->members[rng_below(3)]);
				putday(g, tk, "start", ps + len * t / 10);
				putday(g, tk, "due", ps + len * (t + 1) / 10);
				putf(g, tk, "estimate", "%ld", rnd(8, 80));
				putf(g, tk, "progress", "%ld", rnd(0, 100));
				put(g, tk, "milestone", ms);
				save(g, tk, tid);
				struct record *tm = mk(g, "time");
				put(g, tm, "project", pid);
				put(g, tm, "task", tid);
				put(g, tm, "member", g->members[rng_below(3)]);
				putday(g, tm, "date", ps + len * t / 10);
				putf(g, tm, "hours", "%ld", rnd(1, 8));
				save(g, tm, NULL);
			}
		}
		for (int i = 0; i < 4 && !g->rc; i++) {
			struct record *iv = mk(g, "invoice");
			long issued = -30L * (i + 1);
			long amount = rnd(5, 50) * 500;
			put(g, iv, "customer", cid);
			put(g, iv, "contract", contract);
			putf(g, iv, "amount", "%ld", amount);
			putday(g, iv, "issued", issued);
			putday(g, iv, "due", issued + 30);
			char iid[33];
			save(g, iv, iid);
			if (i > 0)
				receipt(g, iid, cid, amount, issued + 25);
		}
		for (int i = 0; i < 3 && !g->rc; i++) {
			struct record *tk = mk(g, "ticket");
			put(g, tk, "customer", cid);
			put(g, tk, "title", tickets_en[rng_below(ARRAY_LEN(tickets_en))].title);
			putstamp(g, tk, "opened", -rnd(0, 300), 9 * 60);
			put(g, tk, "status", rng_below(3) ? "closed" : "open");
			save(g, tk, NULL);
		}
		for (int i = 0; i < 2 && !g->rc; i++) {
			struct record *sv = mk(g, "survey");
			put(g, sv, "customer", cid);
			put(g, sv, "kind", i ? "csat" : "nps");
			putf(g, sv, "score", "%ld", i ? rnd(1, 5) : rnd(0, 10));
			putday(g, sv, "date", -rnd(0, 365));
			save(g, sv, NULL);
		}
		/* Commit in batches: bounded WAL, and a kill mid-way keeps what was made. */
		if (c % 200 == 199 && !g->rc && !(g->rc = store_commit(g->w->st, g->e)))
			g->rc = store_begin(g->w->st, g->e);
	}
	make_rates(g);
}

static int run(struct ctx *c, int argc, char **argv)
{
	const char *dir = NULL, *size = "small", *lang = NULL;
	long n = 0;
	const struct opt opts[] = { { "--size", NULL, &size, NULL },
				    { "--lang", NULL, &lang, NULL },
				    { NULL, NULL, NULL, NULL } };
	int rc = args_parse(c, &cmd_demo, argc, argv, opts, &dir, 1, NULL, "too many arguments");
	if (rc)
		return rc;
	if (!strcmp(size, "large"))
		n = 10000;
	else if (strcmp(size, "small")) {
		char *end;
		n = strtol(size, &end, 10);
		if (*end || n < 1 || n > 1000000)
			return usage_error(c, &cmd_demo,
					   "--size: '%s' is not small, large or a number of customers "
					   "(1 to 1000000)",
					   size);
	}
	if (lang && strcmp(lang, "en") && strcmp(lang, "zh") && strncmp(lang, "zh_", 3) &&
	    strncmp(lang, "en_", 3))
		return usage_error(c, &cmd_demo, "--lang: '%s' is not en or zh", lang);
	if (!dir)
		dir = c->cdir ? c->cdir : "rapport-demo";
	if ((rc = ws_create(dir, &c->err)))
		return rc;
	c->cdir = dir;
	if ((rc = ctx_open(c)))
		return rc;
	/* The company speaks the language asked for, else the interface's. */
	bool zh = lang ? !strncmp(lang, "zh", 2) : !strcmp(i18n_current(), "zh");
	struct gen g = { .c = c, .w = c->ws, .e = &c->err, .v = zh && !n ? &vocab_zh : &vocab_en };
	g.now = clock_now();
	g.today = (long)(g.now / 86400);
	g.progress = isatty(STDERR_FILENO);
	g.started = time(NULL);
	rng_seed(n ? (uint64_t)n : 42);
	if ((rc = store_bulk(c->ws->st, &c->err)) || (rc = store_begin(c->ws->st, &c->err)))
		return rc;
	if (n)
		make_synthetic(&g, n);
	else
		make_small(&g);
	if (g.rc)
		store_rollback(c->ws->st);
	else
		g.rc = store_commit(c->ws->st, &c->err);
	if (!g.rc)
		g.rc = store_analyze(c->ws->st, &c->err);
	if (g.progress)
		fprintf(stderr, "\r%60s\r", "");
	if (g.rc)
		return g.rc;
	/* The demo's user is one of its members, so decisions waiting for "you" are there to make:
	 * the workspace's own identity, which wins over the global one (rapport config). */
	char *path = xasprintf("%s/config", c->ws->dotdir);
	const struct member_def *me = &g.v->team[ME];
	if (!(rc = config_file_set(path, "user.name", me->name, &c->err)))
		rc = config_file_set(path, "user.email", me->email, &c->err);
	free(path);
	if (rc)
		return rc;
	long *counts = xcalloc(c->ws->sc.nkinds, sizeof(long)), total = 0;
	if ((rc = store_census(c->ws->st, &c->ws->sc, counts, &c->err))) {
		free(counts);
		return rc;
	}
	for (size_t i = 0; i < c->ws->sc.nkinds; i++)
		total += counts[i];
	fprintf(c->out, _("Created demo workspace %s (%ld records in %lds):\n"), c->ws->root, total,
		(long)(time(NULL) - g.started));
	for (size_t i = 0; i < c->ws->sc.nkinds; i++)
		if (counts[i])
			fprintf(c->out, "  %8ld %s\n", counts[i],
				counts[i] == 1 ? kind_label(c->ws->sc.kinds[i].k)
					       : kind_plural_label(c->ws->sc.kinds[i].k));
	free(counts);
	fprintf(c->out, _("You are %s there (user.email %s, a project manager).\n"), me->name,
		me->email);
	if (n)
		fprintf(c->out, _("Try: rapport -C %s list customer --limit 20\n"), dir);
	else
		fprintf(c->out, _("Try: rapport -C %s list customer\n     rapport -C %s show \"%s\"\n"
				  "     rapport -C %s approvals --mine\n"),
			dir, dir, g.v->customers[0].name, dir);
	return 0;
}
