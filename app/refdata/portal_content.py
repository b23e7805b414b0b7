"""Demo portal content (zh + en): a notice, the regulation 《科技型中小企业评价办法》 with a summary
of its key articles, download entries and FAQ drawn from the three manuals in docs/ (seeds 001,
003, 004). ``{year}`` is this year. The regulation's summary is ours, not the official text.
"""
from __future__ import annotations

NOTICES = (
    {
        "program": "sme", "pinned": True,
        "title_zh": "关于开展{year}年科技型中小企业评价工作的通知",
        "title_en": "Notice on the {year} Tech-based SME evaluation",
        "body_zh": "<p>各有关企业：</p><p>根据《科技型中小企业评价办法》（国科发政〔2017〕115号），{year}年科技型中小企业评价工作现已启动。"
                   "请符合条件的企业登录本平台，完成企业注册登记后，填报上一会计年度的评价材料，进行自评，上传加盖公章的封面后提交，"
                   "由所在地评价工作机构审核。</p><ol><li>评价材料每年填报一次，同一年度只能提交一次；</li>"
                   "<li>评价工作机构确认前，企业可以撤回修改；</li><li>经省评价工作机构公示无异议的，入库并取得登记编号。</li></ol>"
                   "<p>填报中遇到问题，请先查看<a href=\"/portal/faq?program=sme\">常见问题</a>，或联系所在地评价工作机构。</p>",
        "body_en": "<p>To all enterprises concerned:</p><p>Under the Measures for the Evaluation of Tech-based SMEs "
                   "(Guo Ke Fa Zheng [2017] No. 115), the {year} evaluation is open. Enterprises that qualify register "
                   "their enterprise on this platform, fill in the materials of the last accounting year, check their "
                   "self-assessment score, upload the stamped cover and submit; the evaluation agency of their region "
                   "reviews them.</p><ol><li>The materials are filled in once a year; one submission per year.</li>"
                   "<li>Until the agency confirms, the enterprise may withdraw and correct its submission.</li>"
                   "<li>After a publicity period without objection, the enterprise is stored and numbered.</li></ol>"
                   "<p>Questions: see the <a href=\"/portal/faq?program=sme\">FAQ</a> or ask your evaluation agency.</p>",
    },
    {
        "program": "benchmark", "pinned": False,
        "title_zh": "{year}年全国质量标杆活动申报开始",
        "title_en": "{year} quality benchmark activity open for declarations",
        "body_zh": "<p>{year}年全国质量标杆活动已开放申报。申报组织需先完成组织（企业）备案（含近三年经济数据），经中国质量协会审核通过后，"
                   "维护申报项目，接受承诺书，上传总结材料并选择推荐单位后提交。</p><p>资格审查通过后，请打印推荐表，加盖申报单位公章，"
                   "并由推荐单位盖章，随一份申报材料快递至中国质量协会（地址见<a href=\"/portal/contacts\">联系我们</a>）。</p>",
        "body_en": "<p>The {year} quality benchmark activity is open. Organisations first file their organisation "
                   "(with three years of economic data); once the China Association for Quality has approved the "
                   "filing, they keep their project, accept the commitment, upload the summary and choose a "
                   "recommending unit.</p><p>After the qualification review, print the recommendation form, have it "
                   "stamped by your organisation and by the recommending unit and post it with one copy of the "
                   "declaration to the association (address under <a href=\"/portal/contacts\">Contact us</a>).</p>",
    },
    {
        "program": "eseal", "pinned": False,
        "title_zh": "企业电子签章（USB-Key）年金缴纳提醒",
        "title_en": "Reminder: annual fee of the e-seal USB-Key",
        "body_zh": "<p>企业电子签章（含 USB-Key）首次购买费用为 1000 元/把，包括当年的年金和数字证书及电子印章的制作费用；"
                   "后续年金 1000 元/把/年。请在到期前汇款并在平台登记汇款信息，逾期未缴的 USB-Key 将被暂停使用。</p>",
        "body_en": "<p>The first e-seal USB-Key costs 1,000 yuan, including the first year's fee and making the "
                   "certificate and seal; each later year costs 1,000 yuan per key. Remit before the due date and "
                   "record the remittance on the platform: a key left unpaid is suspended.</p>",
    },
)

REGULATION = {
    "program": "sme", "pinned": True,
    "title_zh": "科技型中小企业评价办法",
    "title_en": "Measures for the Evaluation of Tech-based Small and Medium-sized Enterprises",
    "doc_number": "国科发政〔2017〕115号",
    "issuer_zh": "科技部 财政部 国家税务总局",
    "issuer_en": "Ministry of Science and Technology, Ministry of Finance, State Taxation Administration",
    "body_zh": "<p><strong>摘要</strong>（本平台编写，以正式文件为准）：本办法规定科技型中小企业的条件、评价指标和评价程序，"
               "企业自主评价、省级科技管理部门组织服务、公示入库。</p>"
               "<h4>主要条款</h4>"
               "<p><strong>第二条</strong> 科技型中小企业是指依托一定数量的科技人员从事科学技术研究开发活动，取得自主知识产权"
               "并将其转化为高新技术产品或服务，从而实现可持续发展的中小企业。</p>"
               "<p><strong>第六条</strong> 科技型中小企业须同时满足以下条件：</p><ol>"
               "<li>在中国境内（不包括港、澳、台地区）注册的居民企业；</li>"
               "<li>职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元；</li>"
               "<li>企业提供的产品和服务不属于国家规定的禁止、限制和淘汰类；</li>"
               "<li>企业在填报上一年及当年内未发生重大安全、重大质量事故和严重环境违法、科研严重失信行为，且企业未列入经营异常名录和严重违法失信企业名单；</li>"
               "<li>企业根据科技型中小企业评价指标进行综合评价所得分值不低于60分，且科技人员指标得分不得为0分。</li></ol>"
               "<p><strong>第七条</strong> 评价指标包括科技人员、研发投入、科技成果三类，满分100分：</p>"
               "<table><thead><tr><th>指标</th><th>满分</th></tr></thead><tbody>"
               "<tr><td>科技人员占职工总数的比例</td><td>20</td></tr>"
               "<tr><td>研发费用总额占销售收入总额或成本费用支出总额的比例（取高）</td><td>50</td></tr>"
               "<tr><td>拥有的与主要产品（或服务）相关的知识产权类别和数量</td><td>30</td></tr></tbody></table>"
               "<p><strong>第八条</strong> 符合第六条第（一）至（四）项条件的企业，若同时符合下列条件中的一项，则可直接确认符合"
               "科技型中小企业条件：拥有有效期内高新技术企业资格证书；近五年内获得过国家级科技奖励并在获奖单位中排在前三名；"
               "拥有经认定的省部级以上研发机构；近五年内主导制定过国际标准、国家标准或行业标准。</p>"
               "<p><strong>评价程序</strong> 企业自主评价并填报信息，省级科技管理部门组织评价工作机构审核，公示10个工作日无异议的，"
               "纳入科技型中小企业信息库并取得登记编号。</p>",
    "body_en": "<p><strong>Summary</strong> (written by the platform; the official text prevails): the Measures set "
               "the conditions, indicators and procedure of the Tech-based SME evaluation: enterprises evaluate "
               "themselves, provincial science authorities organise the service, results are publicised and stored.</p>"
               "<h4>Key articles</h4>"
               "<p><strong>Article 2</strong> A tech-based SME relies on a number of scientific and technical staff "
               "for research and development, owns intellectual property and turns it into high-tech products or "
               "services, and so develops sustainably.</p>"
               "<p><strong>Article 6</strong> A tech-based SME meets all of these conditions:</p><ol>"
               "<li>a resident enterprise registered in mainland China;</li>"
               "<li>no more than 500 employees, annual sales and total assets each no more than 200 million yuan;</li>"
               "<li>its products and services are not in the prohibited, restricted or obsolete categories;</li>"
               "<li>no major safety or quality accident, serious environmental offence or serious research "
               "misconduct in the reporting years, and not listed for abnormal operation or serious dishonesty;</li>"
               "<li>a score of at least 60 on the evaluation indicators, with a non-zero score for technical staff.</li></ol>"
               "<p><strong>Article 7</strong> The indicators are technical staff, R&amp;D spending and results, 100 "
               "points in all:</p><table><thead><tr><th>Indicator</th><th>Points</th></tr></thead><tbody>"
               "<tr><td>Share of technical staff in all employees</td><td>20</td></tr>"
               "<tr><td>R&amp;D spending as a share of sales or of total costs (the better)</td><td>50</td></tr>"
               "<tr><td>Class and number of IP related to the main products or services</td><td>30</td></tr></tbody></table>"
               "<p><strong>Article 8</strong> An enterprise meeting conditions 1–4 of Article 6 qualifies directly "
               "if it also holds a valid high-tech enterprise certificate, won a national science award among the "
               "first three units in the last five years, has a recognised provincial or national R&amp;D institution, "
               "or led an international, national or industry standard in the last five years.</p>"
               "<p><strong>Procedure</strong> Enterprises evaluate themselves and fill in their data; evaluation "
               "agencies review; after 10 working days of publicity without objection, the enterprise is stored and "
               "receives a registration number.</p>",
}

# Download entries: (program, title zh, title en, text zh, text en, file name, generator key)
DOWNLOADS = (
    ("sme", "科技型中小企业评价承诺书（模板）", "Tech-based SME evaluation: commitment letter (template)",
     "<p>企业填报评价信息前须阅读并签署的承诺书，打印后由法定代表人签字并加盖企业公章。</p>",
     "<p>The commitment letter an enterprise signs before it fills in the evaluation: print it, have the legal "
     "representative sign it and stamp it with the company seal.</p>", "科技型中小企业评价承诺书.pdf", "sme_commitment"),
    ("benchmark", "质量标杆总结材料编写说明及模板", "Quality benchmark: how to write the summary (template)",
     "<p>申报时上传的总结材料须按本模板编写（Word 格式）。</p>",
     "<p>The summary uploaded with a declaration follows this template (Word).</p>",
     "质量标杆总结材料编写说明.docx", "benchmark_summary"),
    ("eseal", "企业电子签名/签章服务申请表（空白）", "E-seal service application form (blank)",
     "<p>线上提交申请后平台会生成填好的申请表；如需手工填写，可使用本空白表，加盖公章后连同营业执照复印件等资料邮寄。</p>",
     "<p>The platform prints the filled-in form after you apply online; to fill one in by hand, use this blank "
     "form, stamp it and post it with the copies of your papers.</p>", "企业电子签章服务申请表.pdf", "eseal_form"),
    ("eseal", "代理申请授权书（模板）", "Letter of authorisation for an agent (template)",
     "<p>由代理人代为申请电子签章时，须提交加盖申请企业公章的授权书。</p>",
     "<p>When an agent applies for the e-seal on the company's behalf, send this letter stamped by the company.</p>",
     "电子签章代理申请授权书.docx", "eseal_authorisation"),
    ("sme", "科技型中小企业评价指标自测表", "Tech-based SME indicators: self-check sheet",
     "<p>在填报前按评价指标估算得分的 Excel 表。</p>",
     "<p>An Excel sheet to estimate the indicator score before filling in.</p>",
     "科技型中小企业评价指标自测表.xlsx", "sme_selfcheck"),
)

# FAQ: program -> [(question zh, answer zh, question en, answer en)]
FAQ = {
    "platform": [
        ("忘记密码怎么办？", "在登录页点击“忘记密码”，可通过联系人邮箱、法定代表人邮箱或法定代表人手机号找回密码。",
         "I forgot my password.", "On the sign-in page choose Forgot password: recover it by the contact's e-mail, "
         "the legal representative's e-mail or the legal representative's mobile."),
        ("验证码总是提示错误？", "图片验证码不区分大小写，有效期5分钟；看不清可点击图片换一张。请勿在多个窗口同时登录。",
         "The captcha is always wrong.", "The picture code ignores upper and lower case and holds for 5 minutes; click "
         "the picture for a new one. Do not sign in from several windows at once."),
        ("收不到短信验证码？", "验证码3分钟内有效；60秒后可再次发送，每个手机号每天最多10条。请检查手机是否拦截了短信。",
         "The SMS code does not arrive.", "A code holds for 3 minutes; you can send again after 60 seconds, at most 10 "
         "codes a day per mobile. Check whether your phone blocks the message."),
        ("忘记了注册邮箱？", "在登录页点击“忘记邮箱”，填写企业信息并上传加盖公章的证明材料，由受理机构审核后更换邮箱。",
         "I forgot the registered e-mail.", "On the sign-in page choose Forgot e-mail, fill in the enterprise's data and "
         "upload the stamped proof; the accepting agency reviews it and changes the address."),
        ("建议使用什么浏览器？", "建议使用 Chrome、Firefox、Edge 或 360 极速模式的最新版本。",
         "Which browser should I use?", "A current Chrome, Firefox, Edge or 360 (speed mode)."),
        ("一个账户可以办理哪些业务？", "一个账户、一条企业记录即可办理科技型中小企业评价、质量标杆申报和电子签章服务。",
         "What can one account do?", "One account and one enterprise record serve the Tech-SME evaluation, the quality "
         "benchmark declaration and the e-seal service."),
    ],
    "sme": [
        ("哪些企业可以参加科技型中小企业评价？", "在中国境内注册的居民企业，职工总数不超过500人、年销售收入和资产总额均不超过2亿元，并满足评价办法第六条的其他条件。",
         "Which enterprises can take part?", "Resident enterprises registered in mainland China with no more than 500 "
         "employees and no more than 200 million yuan of sales and of assets, meeting the other conditions of Article 6."),
        ("评价得分多少算合格？", "指标1—4全部符合，且指标5—8符合一项即直接合格；否则指标9—11总分不低于60分且科技人员指标不为0分。",
         "What score qualifies?", "Indicators 1–4 must all hold; any one of 5–8 then qualifies directly; otherwise "
         "indicators 9–11 must total at least 60 with a non-zero technical staff score."),
        ("提交前为什么要上传封面？", "提交评价材料前必须打印封面，加盖企业公章后上传，否则无法提交。",
         "Why must I upload a cover?", "Before submitting, print the cover, stamp it with the company seal and upload it; "
         "without it the materials cannot be submitted."),
        ("提交后还能修改吗？", "评价工作机构确认前，可以撤回后修改再提交；确认后不能撤回。",
         "Can I change the materials after submitting?", "Until the evaluation agency confirms, withdraw, correct and "
         "submit again; after that, not any more."),
        ("材料被退回怎么办？", "在“审批进度”中查看退回原因，修改后重新提交。",
         "My materials were returned.", "Read the reason on the Progress page, correct and submit again."),
        ("一年可以提交几次？", "同一企业每年只能提交一次评价材料；未通过的当年不能再次提交。",
         "How often can I submit?", "Once a year per enterprise; after a rejection, not again that year."),
        ("研发费用如何归集？", "委托境内机构的研发费用按80%计入，委托境外机构的不计入。",
         "How are R&D costs counted?", "R&D commissioned in China counts at 80%; commissioned abroad it does not count."),
        ("审核由谁负责？遇到问题找谁？", "企业所在地的评价工作机构审核；请在“联系我们”中查找其电话。",
         "Who reviews, and whom do I ask?", "The evaluation agency of your region: find its phone under Contact us."),
        ("公示期多长？有异议怎么办？", "公示期为10个工作日；对公示有异议的，可在公示期内向省评价工作机构提出。",
         "How long is the publicity period?", "10 working days; objections go to the provincial agency within that time."),
    ],
    "benchmark": [
        ("申报前要做什么？", "先在“组织备案”中备案组织信息及近三年经济数据，经中国质量协会审核通过后才能申报。",
         "What comes before declaring?", "File your organisation with three years of economic data; the China "
         "Association for Quality must approve the filing first."),
        ("备案被驳回怎么办？", "查看驳回原因，补全近三年经营数据等信息后重新备案。",
         "My filing was returned.", "Read the reason, complete the three years of data and file again."),
        ("主题词怎么填？", "根据申报经验内容填写1—3个关键词。", "What are keywords?",
         "One to three keywords describing the experience you declare."),
        ("总结材料有格式要求吗？", "请下载“质量标杆总结材料编写说明及模板”，按模板编写后以 Word 或 PDF 上传。",
         "Is there a template for the summary?", "Download the summary template from Downloads and upload the summary "
         "as Word or PDF."),
        ("如何选择推荐单位？", "提交申报时在本活动的推荐单位列表中选择一个，推荐单位审核后给出推荐意见。",
         "How do I choose a recommending unit?", "When submitting, pick one of the activity's recommending units; it "
         "reviews the declaration and gives its opinion."),
        ("什么时候可以打印申报书？", "资格审查通过后即可打印，申报书在数秒内生成，无需等待。",
         "When can I print the declaration?", "Once the qualification review has passed; the PDF is made in seconds."),
        ("纸质材料寄到哪里？", "推荐表加盖申报单位公章并由推荐单位盖章后，连同一份申报材料快递至中国质量协会（地址见“联系我们”）。",
         "Where do I post the papers?", "The recommendation form, stamped by your organisation and by the recommending "
         "unit, goes with one copy of the declaration by courier to the association (see Contact us)."),
        ("同一项目可以再次申报其他活动吗？", "可以。项目信息保存后可在以后的活动中直接选用，无需重新填写。",
         "Can a project be declared again?", "Yes: a saved project can be chosen in later activities without "
         "re-entering it."),
    ],
    "eseal": [
        ("谁可以申请电子签章？", "已在本平台注册并登记企业信息的企业用户。", "Who can apply for an e-seal?",
         "Enterprise users registered on the platform with their enterprise on record."),
        ("电子签章收费多少？", "首次购买 USB-Key 1000元/把，含当年年金及证书和印章制作费；后续年金1000元/把/年。",
         "What does the e-seal cost?", "1,000 yuan per USB-Key at first, including the first year and making the "
         "certificate and seal; then 1,000 yuan per key per year."),
        ("汇款汇到哪个账户？", "开户名称：北京中认环宇信息安全技术有限公司；开户行：北京银行总部基地支行；账号：0109 0849 3001 2010 5159 790。请以企业名称汇款。",
         "Which account do I remit to?", "Beijing CQC Certificate Authority, Bank of Beijing Zongbujidi Branch, account "
         "0109 0849 3001 2010 5159 790. Remit in the company's name."),
        ("境外企业如何汇款？", "我公司没有设立外币帐户。请先在当地银行将外币兑换成人民币，再汇入我公司帐户。",
         "We pay from abroad.", "There is no foreign-currency account: convert the amount to RMB at your local bank "
         "first, then remit it."),
        ("需要邮寄哪些纸质材料？", "加盖公章的申请表、营业执照复印件、联系人身份证复印件（均加盖公章）；境外企业提交当地政府颁发的资质证明。",
         "Which papers do I post?", "The stamped application form, copies of the business licence and of the contact's "
         "ID card, each stamped; foreign companies send their local registration proof."),
        ("材料寄到哪里？", "北京中认环宇信息安全技术有限公司，北京南四环西路188号9区8号楼4层，邮编100070。",
         "Where do I post them?", "Beijing CQC Certificate Authority, 4th floor, Building 8, Zone 9, No. 188 South 4th "
         "Ring Road West, Beijing 100070."),
        ("发票抬头如何确定？", "默认为汇款人名称；如需更改，请提前告知并提交加盖汇款人公章的发票抬头变更说明。",
         "Whose name is on the invoice?", "The payer's by default; to change it, tell us before and send a stamped "
         "change note."),
        ("代理人可以代为申请吗？", "可以，须提交授权书（模板见“文件下载”）。", "Can an agent apply for us?",
         "Yes, with a letter of authorisation (template under Downloads)."),
        ("电子签章是什么样式？", "统一为圆形章，加注“认证专用章”字样；特殊样式请联系客服。", "What does the seal look like?",
         "A round seal reading “certification seal” in Chinese; ask the service desk for another design."),
        ("客服电话是多少？", "010-83886166（工作日 9:00—17:00）。", "What is the service desk's number?",
         "010-83886166 (working days 9:00–17:00)."),
    ],
}
