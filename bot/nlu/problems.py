"""What a report is about, as a duplicate check compares it: the thing (电梯, 垃圾桶, 马蜂窝 …),
what is wrong with it (broken, dirty, noisy …), and where exactly, beyond the building (东门 /
西门, 东区 / 二期, the roof / the basement / the lobby).

Each is a small vocabulary of synonyms, colloquial names and common slips mapped to one name:
电梯 / 直梯 / 电体, 垃圾桶 / 垃圾箱, 蟑螂 / 小强, 野狗 / 流浪狗, 烟头 / 烟屁股, 楼道 / 楼梯间,
南门 / 南大门. ``signature`` reads them off a normalised message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import longest_first

# Voice-typing and homophone slips, read as what they stand for.
SLIPS = {"电体": "电梯", "楼到": "楼道", "煤汽": "煤气", "燃汽": "燃气", "垃极": "垃圾", "拉圾": "垃圾", "路等": "路灯", "电悌": "电梯", "电题": "电梯",
         "店梯": "电梯", "楼导": "楼道", "水笼头": "水龙头", "笼头": "龙头", "暖器": "暖气", "然气": "燃气", "媒气": "煤气", "监空": "监控", "摄象头": "摄像头",
         "充电装": "充电桩", "充电庄": "充电桩", "马峰": "马蜂", "躁音": "噪音", "躁声": "噪声", "消防拴": "消防栓", "化分池": "化粪池", "下水到": "下水道",
         "阴井": "窨井", "樟螂": "蟑螂", "垃圾通": "垃圾桶", "篮框": "篮筐", "防道门": "防盗门", "电平车": "电瓶车", "门进卡": "门禁卡", "信报相": "信报箱",
         "暖汽": "暖气", "燥音": "噪音", "灭火气": "灭火器", "摄相头": "摄像头", "井钙": "井盖", "下水倒": "下水道", "电频车": "电瓶车", "垃级": "垃圾"}

# Things a report can be about. A name in CONTAINERS is also where other things are (电梯里的
# 屏幕, 公交站的顶棚): when a message names a thing inside it, the thing is what it is about.
OBJECTS: dict[str, tuple[str, ...]] = {
    "elevator": ("电梯", "直梯", "升降梯", "升降机", "𨋢", "轿厢", "货梯", "客梯", "电梯间", "观光梯", "自动扶梯", "电梯轿厢"),
    "elevator_button": ("电梯按钮", "按钮", "按键", "键", "楼层键", "电梯键", "楼层按钮"),
    "screen": ("屏幕", "显示屏", "广告屏", "电视屏"),
    "mirror": ("镜子", "镜面"),
    "camera": ("监控", "摄像头", "探头", "电子眼", "摄像机", "监控探头", "监控器", "监控录像"),
    "light": ("灯", "路灯", "楼道灯", "声控灯", "感应灯", "灯泡", "灯管", "照明", "吊灯", "应急灯", "路灯杆", "灯杆", "廊灯", "壁灯", "草坪灯", "景观灯",
              "灯胆", "灯罩", "楼梯灯", "走廊灯", "庭院灯", "地灯", "射灯", "照明灯", "节能灯", "led灯", "路灯泡"),
    "unit_door": ("单元门", "单元大门", "楼栋门", "楼门", "防盗门", "铁门", "闭门器", "门锁", "楼下的大门", "楼下大门", "门把手", "关门器", "自动关门器", "地弹簧",
                  "门合页", "合页"),
    "access_control": ("门禁", "刷卡", "门卡", "人脸识别", "对讲", "可视对讲", "门铃", "刷卡器", "读卡器", "刷脸", "门禁卡", "门禁机", "门禁系统", "刷卡机",
                       "门口机", "楼宇对讲", "对讲机", "人脸门禁", "门禁锁"),
    "auto_door": ("自动门", "感应门", "旋转门", "玻璃门"),
    "gate_barrier": ("道闸", "闸机", "栏杆机", "抬杆", "伸缩门", "电动门", "大铁门", "卷帘门", "车库门", "起落杆", "升降杆", "道闸杆", "挡车杆", "拦车杆",
                     "栏杆闸", "车闸", "停车杆", "车牌识别", "识别车牌", "车辆道闸", "人行闸机", "卷闸门", "卷闸", "卷帘", "栏杆杆子", "拦车的杆子", "拦车杆子",
                     "电动伸缩门"),
    "fence": ("围墙", "围栏", "栅栏", "铁栅栏", "篱笆", "隔离栏", "铁栏杆", "栏杆", "围墙栏杆", "铁栏", "铁丝网", "防护网", "隔离网", "围网", "围挡"),
    "sign": ("指示牌", "标识牌", "警示牌", "路牌", "楼号牌", "门牌"),
    "billboard": ("广告牌", "广告架", "广告牌架子", "广告灯箱", "招牌", "灯箱", "牌匾", "广告位"),
    "fire_door": ("防火门", "天台门", "楼顶门", "消防门", "安全门", "防火卷帘", "防火卷帘门", "常闭防火门", "疏散门", "安全出口门", "消防通道门", "楼梯间门"),
    "tap": ("水龙头", "龙头", "水嘴"),
    "crosswalk": ("斑马线", "人行横道"),
    "lightning_rod": ("避雷针", "避雷带"),
    "solar_heater": ("太阳能", "太阳能热水器", "太阳能板"),
    "laundry": ("晾衣服", "晾的衣服", "晒衣服", "晾衣架", "衣服滴水"),
    "noise_furniture": ("拖椅子", "拖凳子", "拖桌子", "拖家具", "拉凳子", "拉椅子", "挪桌子", "挪椅子", "挪凳子", "搬椅子", "推椅子", "挪家具", "搬家具",
                        "拖东西", "挪东西", "搬东西"),
    "noise_chopping": ("剁肉", "剁骨头", "剁馅", "剁东西"),
    "noise_jumping": ("跳绳", "蹦跳", "跺脚", "跑跳"),
    "noise_marbles": ("弹珠", "玻璃球"),
    "window": ("窗户", "窗子", "窗玻璃", "玻璃", "窗框", "纱窗", "窗扇", "天窗", "气窗", "通风窗", "百叶窗", "推拉窗", "窗把手", "窗户把手", "窗锁", "窗户玻璃"),
    "bars": ("防盗网", "防盗窗", "铁窗", "护窗"),
    "handrail": ("扶手", "护栏", "扶栏", "楼梯栏杆", "楼梯扶手", "阳台栏杆"),
    "stairs": ("台阶", "楼梯踏步", "阶梯", "楼梯台阶", "踏步"),
    "wall_plaster": ("墙皮", "墙面", "腻子", "石灰", "墙灰"),
    "tiles": ("瓷砖", "外墙砖", "墙砖", "大理石板", "石材", "保温层", "保温板", "墙面砖", "面砖", "外墙瓷砖", "砖"),
    "wall_crack": ("裂缝", "裂纹", "开裂的墙"),
    "ceiling": ("天花板", "吊顶", "天棚"),
    "ac_unit": ("空调外机", "外挂机", "空调室外机", "空调架", "空调支架", "外机", "空调水", "冷凝水", "空调滴水", "空调管"),
    "aircon": ("空调", "中央空调", "柜机", "空调内机", "室内机", "风管机", "空调机", "冷气机", "新风", "新风系统"),
    "roof_sheet": ("彩钢瓦", "彩钢板", "铁皮", "石棉瓦", "铁皮瓦", "瓦片", "铁皮棚"),
    "rain_canopy": ("雨棚", "遮雨棚", "顶棚", "雨篷", "遮阳棚", "棚子", "棚顶"),
    "pavilion": ("凉亭", "亭子", "廊架", "长廊", "连廊", "葡萄架"),
    "water_tank": ("水箱", "蓄水池", "水塔", "储水罐", "水罐", "储水箱", "蓄水箱", "生活水箱", "消防水箱"),
    "pump": ("水泵", "排水泵", "抽水泵", "潜水泵", "污水泵", "加压泵", "增压泵", "泵房", "水泵房", "抽水机", "排污泵", "泵"),
    "fan": ("排风扇", "抽风机", "排风机", "换气扇", "风扇", "排气扇", "通风机", "送风机", "风机", "排风口"),
    "water_pipe": ("水管", "水管子", "管子", "管道", "供水管", "自来水管", "立管", "主管道", "水喉", "阀门", "总阀"),
    "water_heater": ("热水器", "淋浴", "花洒", "热水"),
    "tap_water": ("自来水", "水质", "水龙头的水", "接的水", "饮用水", "二次供水", "出来的水", "放出来的水"),
    "water_pressure": ("水压", "出水小", "出水跟滴", "水流小", "水太小", "水小", "水压低", "水压不够", "水压不行", "自来水小", "水很小", "出水很小", "水流很小",
                       "水不够大", "没水压"),
    "water_supply": ("停水", "没水", "断水", "供水"),
    "power_supply": ("停电", "没电", "断电", "跳闸", "电闸", "供电"),
    "heating": ("暖气", "暖气片", "供暖", "地暖", "暖气管", "暖气管道", "暖气阀"),
    "gas_supply": ("燃气", "煤气", "天然气", "液化气", "燃气管", "燃气表", "气表"),
    "electric_meter": ("电表", "电度表", "智能电表", "预付费电表", "电表读数"),
    "water_meter": ("水表", "智能水表", "水表井", "水表箱", "水表读数"),
    "drain": ("下水道", "下水井", "下水管", "排水沟", "污水井", "化粪池", "地漏", "雨水井", "阴沟", "下水口", "污水管", "排污管",
              "地沟", "渠", "雨水管", "排水管", "水篦子", "下水", "粪井", "粪池", "化粪井", "沙井", "隔油池", "集水井", "排水口", "雨水口", "污水管道", "排水管道", "下水管道", "雨水篦子"),
    "manhole": ("井盖", "窨井盖", "窨井", "井盖子", "检查井", "下水道盖子", "下水道盖", "井盖板", "污水井盖", "雨水井盖", "窨井盖子", "阴沟盖", "铁盖子", "圆铁盖子",
                "铁盖", "井圈", "阀井", "阀门井", "井盖板子", "下水井盖"),
    "road": ("路面", "路", "马路", "道路", "主干道", "主路", "人行道", "地砖", "路砖", "坡道", "斜坡", "坡", "车道", "出入口"),
    "speed_bump": ("减速带", "减速坎", "减速垄", "减速板"),
    "fire_lane": ("消防通道", "消防车道", "应急通道", "生命通道", "应急车道", "救火通道", "救援通道", "疏散通道", "安全通道"),
    "fire_hydrant": ("消防栓", "消火栓", "消防水带", "消防箱", "消火栓箱", "消防栓箱", "水带", "消防水枪", "消防水龙带", "水龙带", "消防卷盘", "消防软管", "消防水管",
                     "红箱子", "消防柜", "消防水带箱", "水枪"),
    "extinguisher": ("灭火器", "灭火罐", "灭火瓶", "干粉灭火器", "干粉罐", "红瓶子", "灭火筒"),
    "smoke_alarm": ("烟感", "烟雾报警器", "报警器"),
    "sprinkler": ("喷淋", "喷淋头", "消防喷淋", "喷头", "烟感喷淋"),
    "wire": ("电线", "线路", "电缆", "飞线", "插线板", "插座", "拖线板", "电表箱", "配电箱", "电箱", "电闸箱", "电源箱", "配电柜", "配电房", "电线杆", "电线杆子"),
    "charging_point": ("充电桩", "充电口", "充电插座", "充电柜", "充电枪", "充电设施", "充电站"),
    "ebike": ("电动车", "电瓶车", "电动自行车", "电瓶", "电池", "摩托车", "外卖小哥", "外卖电动车", "电驴", "小电驴", "电摩", "电动摩托", "电单车"),
    "bicycle": ("自行车", "单车", "共享单车", "小黄车", "小蓝车", "小绿车", "哈啰", "青桔", "摩拜", "美团单车"),
    "scooter": ("滑板车", "平衡车", "扭扭车", "独轮车"),
    "car": ("车", "汽车", "轿车", "私家车", "货车", "面包车", "僵尸车", "车辆", "私家车辆", "小汽车", "老头乐", "代步车", "油车", "燃油车", "汽油车", "外地车",
            "访客车", "大货车", "新能源车"),
    "delivery_vehicle": ("快递车", "三轮车", "送快递的", "快递三轮", "外卖车", "三蹦子", "三轮", "电三轮", "快递小车"),
    "parking_space": ("车位", "停车位", "地锁", "地面车位", "车位上", "车位编号", "车位号", "车位线", "充电车位", "新能源车位", "访客车位"),
    "mech_parking": ("机械车位", "立体车库", "机械车库", "立体车位", "升降车位", "立体停车"),
    "garbage": ("垃圾桶", "垃圾箱", "垃圾筒", "垃圾站", "垃圾房", "垃圾", "垃圾袋", "垃圾池", "垃圾点", "分类桶", "厨余桶",
                "垃圾车", "拉圾"),
    "bulky_waste": ("建筑垃圾", "装修垃圾", "渣土", "旧家具", "旧沙发", "床垫", "水泥袋", "水泥袋子", "装修材料", "建材", "沙子", "废料", "沙发", "破沙发",
                    "旧床", "碎砖", "砖头", "碎砖烂瓦", "水泥块", "装修垃圾袋", "水泥"),
    "clutter": ("纸箱", "纸壳", "纸箱子", "杂物", "泡沫箱", "鞋柜", "旧物", "快递盒", "快递盒子", "纸盒", "包装盒", "纸盒子", "快递箱", "快递箱子", "纸板",
                "废品", "旧家电", "鞋架", "婴儿车", "童车", "旧柜子", "破柜子"),
    "ads": ("小广告", "广告纸", "传单", "牛皮癣"),
    "graffiti": ("涂鸦", "乱画", "乱涂"),
    "dog_waste": ("狗屎", "狗粑粑", "狗粪", "狗尿", "粪便", "宠物粪便", "屎", "尿", "当厕所", "随地大小便", "大小便", "小便", "撒尿", "便便", "拉屎", "尿臊",
                  "尿骚"),
    "bird_waste": ("鸽子屎", "鸽粪", "鸟屎"),
    "cockroach": ("蟑螂", "小强", "曱甴"),
    "ants": ("蚂蚁", "白蚁"),
    "bugs": ("跳蚤", "臭虫", "虱子", "螨虫", "蜘蛛", "蜈蚣", "毛毛虫", "虫子", "鼻涕虫", "蚰蜒", "潮虫", "马陆", "蠓虫"),
    "rat": ("老鼠", "耗子", "鼠", "大老鼠"),
    "mosquito": ("蚊子", "蚊虫", "蚊", "飞虫", "小虫子"),
    "fly": ("苍蝇",),
    "wasp": ("马蜂窝", "蜂窝", "黄蜂窝", "马蜂", "黄蜂", "蜂子", "胡蜂", "蜂巢"),
    "pigeon": ("鸽子", "鸽棚", "鸽子窝", "养鸽"),
    "bird": ("鹦鹉", "八哥", "画眉", "养鸟", "鸟叫", "鸟笼", "死鸟", "小鸟", "麻雀", "乌鸦"),
    "dog": ("狗", "流浪狗", "野狗", "大狗", "狗子", "犬", "宠物狗", "大型犬", "烈性犬", "狗狗", "泰迪", "金毛", "哈士奇", "阿拉斯加", "藏獒", "柯基", "边牧",
            "拉布拉多", "德牧", "比熊", "柴犬", "遛狗"),
    "cat": ("猫", "野猫", "流浪猫", "猫咪", "小猫", "大猫"),
    "snake": ("蛇",),
    "tree": ("树", "大树", "树干", "老树", "枯树", "行道树", "树木", "竹子", "竹林"),
    "branch": ("树枝", "树杈", "枝干", "断枝", "枯枝", "树枝子"),
    "leaves": ("落叶", "树叶"),
    "weeds": ("杂草", "野草", "草长", "荒草", "杂草丛生", "野草丛"),
    "ice": ("结冰", "冰面", "积雪", "冰", "冻上", "冻住", "结了冰", "结的冰", "冻成"),
    "lawn": ("草坪", "草地", "绿化带", "绿地", "花坛", "草丛", "草地里", "树丛", "灌木"),
    "plants": ("花草", "月季", "绿植", "花木", "苗木", "花苗", "盆栽", "月季花"),
    "rubber_floor": ("地垫", "塑胶地", "塑胶地垫", "地胶", "塑胶跑道", "软垫", "塑胶垫", "塑胶地面", "橡胶垫"),
    "slide": ("滑梯", "滑滑梯"),
    "swing": ("秋千", "荡秋千"),
    "seesaw": ("跷跷板", "沙坑", "蹦床", "摇摇马"),
    "fitness": ("健身器材", "漫步机", "走步机", "单杠", "双杠", "太空漫步", "扭腰器", "跑步机", "健身器械", "健身设施", "健身器", "乒乓球台", "乒乓台", "坐蹬器",
                "健骑机", "腰背按摩器", "太极推手", "扭腰盘", "器械", "锻炼器材", "运动器材", "锻炼的器械", "锻炼器械", "转盘"),
    "basketball": ("篮球架", "篮筐", "篮板", "篮圈", "篮球圈", "篮球框", "篮球筐", "球框", "球筐", "篮网", "篮球网", "篮架", "篮球板", "篮球杆"),
    "court": ("羽毛球场", "篮球场", "网球场", "球场", "乒乓球场", "足球场", "运动场", "门球场"),
    "bench": ("长椅", "座椅", "椅子", "凳子"),
    "pool": ("游泳池", "泳池", "戏水池", "游泳馆"),
    "pond": ("池塘", "人工湖", "景观湖", "景观河", "湖", "河", "水池", "喷泉", "水沟", "水塘", "鱼塘", "河道", "小河", "水景"),
    "parcel_locker": ("快递柜", "丰巢", "智能柜", "取件柜", "快递箱柜"),
    "locker": ("储物柜", "更衣柜", "寄存柜"),
    "parcels": ("快递", "包裹", "件"),
    "letterbox": ("信报箱", "信箱", "报箱", "邮箱", "报刊箱", "信件箱", "奶箱", "牛奶箱", "信报柜"),
    "bus_stop": ("公交站", "公交车站", "车站", "站台", "候车亭", "等车亭", "公车站", "公交车亭", "公交亭", "车站亭"),
    "bus_sign": ("站牌", "公交站牌", "车站牌", "站牌子", "公交牌", "站牌儿", "车站的牌子", "站的牌子", "公交牌子", "等车的牌子", "站名牌"),
    "traffic_light": ("红绿灯", "信号灯", "交通灯", "红灯", "绿灯"),
    "noise_dance": ("广场舞", "跳舞", "音响", "喇叭", "音箱"),
    "noise_ktv": ("ktv", "歌厅", "卡拉ok", "唱歌", "k歌"),
    "noise_ball": ("拍球", "篮球", "皮球", "运球"),
    "noise_drill": ("电钻", "装修", "砸墙", "电锤", "冲击钻", "钻墙", "切割机", "电锯", "敲敲打打", "敲墙", "凿墙", "打孔", "电镐"),
    "noise_dog": ("狗叫", "犬吠", "狗狂叫", "狗乱叫"),
    "noise_mahjong": ("麻将", "打牌"),
    "noise_music": ("蹦迪", "放音乐", "唱戏", "吊嗓子", "练琴", "钢琴", "架子鼓", "打鼓", "敲鼓", "唢呐", "萨克斯", "二胡", "拉琴", "吉他", "小号"),
    "noise_construction": ("工地", "打桩", "施工"),
    "noise_firecracker": ("鞭炮", "烟花", "炮仗"),
    "noise_horn": ("鸣笛", "按喇叭", "喇叭声"),
    "noise_pump": ( "变压器", "空调外机噪音", "嗡嗡"),
    "bbq": ("烧烤", "烧烤摊", "烧烤店", "撸串", "串"),
    "cooking_fumes": ("油烟", "油烟机", "排烟", "烟熏火燎", "烤串味", "烟道", "排烟道", "公共烟道"),
    "factory": ("废气", "工厂", "厂子", "化工厂", "厂房"),
    "smoking": ("抽烟", "吸烟", "烟味", "二手烟", "香烟", "吞云吐雾", "烟民", "抽烟的", "电子烟"),
    "cigarette_butt": ("烟头", "烟屁股", "烟蒂"),
    "leftovers": ("剩饭", "剩菜", "菜汤", "饭菜"),
    "thrown_objects": ("花盆", "酒瓶", "瓶子"),
    "burning": ("烧纸", "烧东西", "烧垃圾", "焚烧", "烧火"),
    "smoke_fire": ("冒烟", "着火", "起火", "火苗", "浓烟", "烟雾", "火", "黑烟", "冒黑烟", "窜黑烟"),
    "property_fee": ("物业费", "管理费", "服务费", "物管费"),
    "parking_fee": ("停车费", "车位费", "停车收费", "停车费用", "临停费", "临时停车费", "车位租金", "车位管理费", "月租费", "停车月卡"),
    "utility_bill": ("水费", "电费", "燃气费", "暖气费", "取暖费", "水电费", "电费单", "水费单", "公摊费", "公摊电费", "二次供水费", "水钱", "电钱", "气费",
                     "水电钱", "抄表"),
    "public_income": ("公共收益", "广告收入", "维修基金", "维修资金", "收支", "开支", "账目", "公共收入", "广告费", "电梯广告"),
    "property_phone": ("电话", "座机", "热线", "客服", "值班号码", "值班电话", "号码", "电话号码"),
    "cable_tv": ("有线电视", "电视信号", "有线电视信号", "机顶盒", "电视", "广电", "数字电视", "电视没信号"),
    "mobile_signal": ("手机信号", "手机没信号", "基站", "信号塔", "移动信号", "联通信号", "电信信号", "5g信号", "4g信号"),
    "broadband": ("宽带", "网络", "网速", "光纤", "wifi", "无线网", "网线", "光猫", "路由器", "wi-fi", "无线网络", "无线wifi", "网口"),
    "front_desk": ("前台", "客服中心", "服务中心", "管家", "管理处", "物业办公室", "物业中心", "服务台"),
    "clubhouse": ("活动室", "老年活动室", "活动中心", "会所", "棋牌室", "阅览室", "图书室", "老年活动中心", "居民活动室", "党群活动室"),
    "repair_request": ("报修", "维修", "修理", "维修工", "维修师傅", "修东西", "工程部"),
    "guard": ("保安", "门卫", "值班", "岗亭", "门岗", "保安亭"),
    "lifeguard": ("救生员",),
    "cleaner": ("保洁", "清洁工", "打扫卫生", "保洁阿姨", "保洁员", "扫地的"),
    "notice_board": ("公示栏", "公告栏", "宣传栏"),
    "owners_committee": ("业委会", "业主委员会", "业主大会", "业主代表", "业委"),
    "broadcast": ("广播", "大喇叭", "广播喇叭"),
    "scam": ("冒充", "骗子", "诈骗", "收款码", "假冒", "骗钱"),
    "invoice": ("发票", "开发票", "收据", "开票", "票据"),
    "deposit": ("装修押金", "保证金", "装修保证金"),
    "stranger": ("陌生人", "外来人员", "推销", "推销员", "传销", "不认识的人", "生人", "闲杂人员", "敲门推销"),
    "thief": ("小偷", "贼", "偷", "盗", "顺手牵羊", "被偷", "丢件", "偷东西", "撬"),
    "stall": ("摆摊", "摊贩", "地摊", "小贩", "小摊", "流动摊", "卖菜的", "卖水果的", "摊位", "摊子"),
    "group_rental": ("群租", "群租房", "隔断间", "隔了十几间", "隔成", "隔断", "分租"),
    "home_business": ("托管班", "补习班", "培训班", "辅导班", "家庭作坊", "作坊", "小饭馆", "开店", "办班", "民宿", "日租房", "棋牌馆", "麻将馆"),
    "construction_illegal": ("违建", "违章建筑", "私搭乱建", "搭棚", "圈地", "扩建", "私自扩建", "加建", "加盖", "私搭", "搭建", "阳光房", "扩院子",
                             "圈院子", "侵占绿地", "占绿地"),
}
CONTAINERS = frozenset({"clubhouse", "court", "elevator", "bus_stop", "pool", "pond", "road", "lawn", "tree", "tap"})
# Who or what causes a trouble rather than the trouble itself (烧烤摊 for its smoke, a dog for
# its mess, a car blocking a lane): what is wrong is the other thing named, when there is one.
AGENTS = frozenset({"dog", "cat", "car", "ebike", "bicycle", "delivery_vehicle", "bbq", "pigeon", "stranger"})

# A part named for itself: the whole it belongs to is not what the message is about.
PARENTS = {"dog_waste": "dog", "noise_dog": "dog", "bird_waste": "pigeon", "elevator_button": "elevator",
           "screen": "elevator", "cigarette_butt": "smoking", "charging_point": "ebike", "parking_space": "car",
           "bus_sign": "bus_stop", "rain_canopy": "bus_stop", "speed_bump": "road", "manhole": "road"}

# Where exactly, beyond building, unit and room: two reports naming different ones are two issues.
SUBPLACES: dict[str, dict[str, tuple[str, ...]]] = {
    "gate": {
        "east_gate": ("东门", "东大门", "东侧门", "东边大门", "東門"),
        "west_gate": ("西门", "西大门", "西侧门", "西边大门"),
        "south_gate": ("南门", "南大门", "南侧门", "南边大门", "正门"),
        "north_gate": ("北门", "北大门", "北侧门", "北边大门", "后门"),
    },
    "side": {
        "east_side": ("东侧", "东面", "东边", "东头", "东梯", "东单元"),
        "west_side": ("西侧", "西面", "西边", "西头", "西梯", "西单元"),
        "south_side": ("南侧", "南面", "南边", "南头", "朝南", "阳面"),
        "north_side": ("北侧", "北面", "北边", "北头", "朝北", "阴面"),
    },
    "end": {
        "entrance": ("入口", "进口", "进门处"),
        "exit": ("出口", "出门处"),
    },
    "level": {
        "b1": ("b1", "负一层", "负一楼", "地下一层"),
        "b2": ("b2", "负二层", "负二楼", "地下二层"),
        "b3": ("b3", "负三层", "负三楼", "地下三层"),
    },
    "area": {
        "east_area": ("东区", "东苑"),
        "west_area": ("西区", "西苑"),
        "south_area": ("南区", "南苑"),
        "north_area": ("北区", "北苑"),
        "phase1": ("一期",),
        "phase2": ("二期",),
        "phase3": ("三期",),
        "zone_a": ("a区",),
        "zone_b": ("b区",),
        "zone_c": ("c区",),
    },
    "part": {
        "roof": ("楼顶", "天台", "屋顶", "屋面", "房顶", "楼顶上", "防水层", "屋面防水", "女儿墙"),
        "basement": ("地下室", "储藏室", "储藏间", "地下储藏"),
        "garage": ("地库", "车库", "地下车库", "停车场", "车棚", "自行车棚", "电动车棚"),
        "lobby": ("大堂", "大厅", "门厅", "一楼大厅"),
        "stairwell": ("楼道", "楼梯间", "楼梯", "走廊", "过道", "楼梯口"),
        "playground": ("儿童乐园", "游乐场", "游乐区", "儿童区", "游乐设施"),
        "fitness_area": ("健身区", "健身广场", "健身场"),
        "garden": ("花园", "中心花园", "小花园", "绿化"),
        "square": ("广场", "中心广场", "文化广场"),
    },
}

# What is wrong. Two reports of one thing with different troubles (电梯坏了 / 电梯里脏) are two issues.
PROBLEMS: dict[str, tuple[str, ...]] = {
    "broken": ("坏", "坑", "不动", "失灵", "不亮", "打不开", "关不上", "关不严", "不开", "没反应", "停了", "停运", "卡住", "卡死",
               "卡得", "故障", "踩不动", "刷不开", "进不去", "出不来", "不好使", "不能用", "不响", "闪", "一闪", "黑的", "黑咕隆咚",
               "黑灯瞎火", "摸黑", "罢工", "锈死", "断", "掉了", "铲", "没了", "坑", "颠", "歪", "松", "晃", "破", "裂", "碎",
               "翘", "锈", "塌", "不热", "凉", "不出水", "爬楼", "不灵", "不落", "放不下", "抬不起", "按了不亮", "没声音", "黑漆漆", "没有灯", "没灯", "不好用", "坏掉", "划了", "划伤", "被划", "吹掉", "吹翻", "斜了", "撞歪", "关不紧", "拧不紧", "没锁", "锁不上", "缺口", "写错", "合不上", "合不拢", "合不住", "关不住", "关不了", "关不严实", "闭不上", "弹不回", "锁不住", "不走了", "不运行", "停摆", "不工作", "不转", "不运转", "转不动", "不灵光", "不管用", "不中用", "用不了", "没法用", "不启动", "启动不了", "打不着", "脱落", "掉落", "脱开", "烂了", "烂掉", "稀烂", "破烂", "损坏", "破损", "摔坏", "砸坏", "弄坏", "瘫痪", "报废", "歇菜", "趴窝", "出毛病", "老毛病", "松动", "松了", "变形", "开焊", "脱焊", "不制冷", "不制热", "不出风", "热风", "不冷", "不凉", "推不动", "拉不动", "拧不动", "按不动", "跑得快", "走得快", "转得快", "读数不对", "没信号", "信号差", "信号不好", "信号弱", "断网", "上不了网", "网速慢", "没网", "卡顿", "花屏", "黑屏", "坑洼", "坑坑洼洼", "塌陷", "下沉", "凹陷", "鼓包", "起拱", "空鼓", "不亮了", "不停层", "困人", "关人", "被困", "下坠", "急停", "溜梯", "冲顶", "蹲底", "倒了", "推倒", "撞倒", "被撞", "撞斜", "撞坏", "磨掉", "磨没", "看不清", "模糊", "褪色", "掉漆", "起泡", "鼓起来", "翘起来", "连不上", "连不了", "关得慢", "关得很慢", "半天关不上", "敞着", "敞开着", "大开着", "一压就", "哐当响", "爆了", "爆裂", "炸了", "卡着", "看不了", "雪花点", "冻裂", "冻坏", "冻住了"),
    "dirty": ("脏", "垃圾", "脚印", "没人扫", "没打扫", "乱七八糟", "一地", "满地", "没人清", "没人倒", "满了", "溢",
              "堆成山", "浑", "绿的", "发黄", "黄黄", "沉淀", "没清", "没清理", "没人收", "没收", "脏兮兮", "油污", "污渍", "发霉", "长霉", "霉斑", "青苔", "灰尘", "积灰", "落灰", "蜘蛛网", "一滩油", "滩油", "片油", "漏油", "机油", "没清运", "不清运", "清运不及时", "没人清运"),
    "smell": ("臭", "味", "骚", "熏", "呛", "臊", "难闻", "臭气", "气味"),
    "noise": ("吵", "噪音", "响", "咚咚", "声音", "扰民", "睡不着", "吼", "唱", "汪汪", "睡不好", "觉都睡不", "吵死", "叫个不停", "一直叫", "狂叫", "乱叫",
              "哐哐", "开钻", "钻", "吵闹", "闹腾", "嘈杂", "喧哗", "异响", "轰鸣", "轰隆", "砰砰", "嘎吱", "哐当", "叮叮当当", "乒乒乓乓", "嗡嗡响", "刺啦",
              "哗啦", "吱嘎", "咣咣", "老大声", "大声", "咕咕", "嘀嘀", "滴滴响", "天天叫", "叫唤", "整天叫", "叫个没完", "叫到"),
    "water": ("漏水", "渗水", "滴水", "积水", "淹", "进水", "返水", "冒水", "往下流", "往下渗", "湿", "水点", "漏", "渗",
              "污水", "脏水", "冒出来", "往外冒", "溢出", "往楼下滴", "往下滴", "滴到", "一滩水", "水坑", "在滴", "一直滴", "滴答", "滴滴答答", "冒了", "漫出", "漫水", "水漫", "满出来", "倒灌", "返上来", "翻上来", "跑水", "爆管", "喷水", "滋水", "呲水", "渗漏", "泡了", "泡水", "流水不止", "哗哗", "淌水", "往下淌", "水印", "水渍", "往下灌", "灌进", "往楼下灌", "往下冲"),
    "blocked": ("堵", "挡", "占", "堆", "停满", "乱停", "过不去", "进不来", "挤不过去", "走不了", "过不了", "堵死", "占道", "占了", "东倒西歪", "乱放",
                "乱摆", "不通", "横着停", "被锁", "锁着", "上锁", "锁死", "锁住", "封死", "封住", "堵上", "挡住", "占用", "霸占", "塞满", "顶着", "撑开",
                "撑着", "堵着", "挡着", "随便停", "乱停乱放", "瞎停"),
    "pests": ("成群", "好多", "太多", "成灾", "乱跑", "爬", "乱窜", "窜来窜去", "出没"),
    "fire": ("冒烟", "着火", "烧", "火", "烟熏", "往外冒烟", "冒黑烟", "冒出烟", "起火", "着了", "漏电", "电火花", "冒火花", "打火", "火花"),
    "danger_fall": ("要掉", "往下掉", "掉下来", "砸", "要断", "吊着", "悬", "摇摇欲坠"),
    "aggressive": ("追人", "追着", "咬", "扑", "凶", "吓人", "吓到", "龇牙", "吓哭"),
    "unleashed": ("不拴绳", "没拴绳", "不牵绳", "没牵绳", "不拴", "没拴", "不栓", "没栓", "不牵", "没牵", "散养", "放养", "不戴嘴套", "没戴嘴套", "不带嘴套",
                  "嘴套", "口套", "止咬器", "狗绳", "牵引绳", "不戴", "没戴", "遛狗不"),
    "speeding": ("太快", "飞快", "飙", "超速", "跟飞一样", "飞一样", "开得快", "骑得快", "横冲直撞"),
    "theft": ("偷", "丢", "被盗", "撬", "顺手牵羊", "丢了", "被偷", "偷走", "偷了", "拿走", "拆走", "挖走", "刨走", "搬走", "顺走"),
    "fee": ("涨", "乱收", "收费", "多收", "贵", "没公示", "不公开", "没通知", "没问过", "涨价", "提价", "调价", "加价", "乱收费", "不通知", "没告知", "不告知",
            "没公告", "不透明", "偷偷涨", "悄悄涨", "要价", "多扣", "扣了", "收多了", "算错", "多了一倍", "翻倍", "不合理", "没发通知", "不发通知", "也不通知",
            "两倍"),
    "attitude": ("态度", "骂", "凶", "不耐烦", "爱答不理"),
    "unreachable": ("打不通", "没人接", "不接", "没人应"),
    "no_show": ("没人来", "没人管", "没下文", "拖", "不来", "不修", "没人理", "没人回", "没回复", "不回复", "没消息", "石沉大海", "推诿", "踢皮球", "不归",
                "推来推去"),
    "throwing": ("扔", "丢", "抛", "往下"),
    "charging": ("充电", "飞线", "拉线"),
    "expired": ("过期", "没水", "空的", "失效"),
    "injury": ("摔倒", "跌倒", "滑倒", "摔了", "跌了", "倒地", "倒在地上", "起不来", "站不起来", "爬不起来", "晕倒", "昏倒",
               "流血", "血", "受伤", "骨折"),
    "violence": ("打架", "动手", "打起来", "斗殴", "打人", "互殴", "持刀"),
    "exposed": ("露着", "外露", "裸露", "露在外面", "露出来"),
    "missing": ("啥也没拦", "没拦着", "什么也没拦", "没围起来", "没盖", "缺了", "少了", "不见了"),
    "withered": ("干死", "枯死", "枯了", "没人浇水", "没浇水", "死了好几棵", "蔫了", "没修剪", "没人修剪", "疯长", "长疯了", "长疯", "没人打理", "荒了", "荒废"),
    "stays_on": ("一直亮", "亮着", "白天也亮", "白天亮", "长明", "不灭", "关不掉", "常亮", "长流水", "一直开着"),
    "asleep": ("睡觉", "打呼噜", "睡", "不在岗", "不管事", "亭没人", "没人值班", "没人在岗", "都是空的", "空着"),
}


# Kinds of trouble that may be one trouble said two ways; two reports of one thing whose troubles
# share no kind (电梯坏了 / 电梯里脏) are two issues.
TROUBLE_KIND = {
    "broken": "damage", "danger_fall": "damage", "expired": "damage", "missing": "absent",
    "withered": "neglect", "stays_on": "waste", "injury": "harm", "violence": "harm", "exposed": "damage",
    "dirty": "mess", "smell": "mess", "pests": "mess",
    "water": "water", "noise": "noise", "fire": "fire",
    "blocked": "misuse", "aggressive": "misuse", "unleashed": "misuse", "speeding": "speed", "throwing": "misuse", "charging": "charging",
    "theft": "crime",
    "fee": "service", "attitude": "service", "unreachable": "service", "no_show": "service", "asleep": "service",
}


@dataclass(frozen=True, slots=True)
class Signature:
    objects: frozenset[str]
    problems: frozenset[str]
    places: dict[str, frozenset[str]]  # kind of sub-place -> the ones named

    @property
    def trouble_kinds(self) -> frozenset[str]:
        return frozenset(TROUBLE_KIND[p] for p in self.problems)

    @property
    def items(self) -> frozenset[str]:
        """The things the message is about: a container (电梯 for the screen inside it) or an
        agent (the dog for its mess) only when nothing else is named; without any thing, the
        part of the building it happens in (the garage, the roof)."""
        inner = self.objects - CONTAINERS
        return inner - AGENTS or inner or self.objects or self.places.get("part", frozenset())


@lru_cache(maxsize=1)
def _patterns():
    # Things and sub-places in one alternation, so the longer name wins: 车库 is a place, not a
    # 车; 广场舞 is a noise, not a 广场.
    owner: dict[str, tuple[str, str]] = {w: ("object", name) for name, words in OBJECTS.items() for w in words}
    for kind, table in SUBPLACES.items():
        owner.update({w: (kind, name) for name, words in table.items() for w in words})
    problem_of = {w: name for name, words in PROBLEMS.items() for w in words}
    return longest_first(owner), owner, longest_first(problem_of), problem_of


# 「东梯」「西梯」: a lift named by its side (the side is read as a sub-place as well).
_SIDE_LIFT = re.compile(r"[东西南北]梯")


# A thing said to be missing (没护栏, 没有灯): the thing's name is read as a thing, so the trouble is
# read on the text around it.
_MISSING = re.compile(r"(?:没有|没|缺|少了?)(?:个|一个|什么)?(?:护栏|栏杆|围栏|扶手|灯|路灯|井盖|盖子|灭火器|监控|摄像头|指示牌|警示牌)")


# A trouble word inside a thing's name is no trouble of it (烧烤 is not a fire, 狗叫 …).
_OWN_TROUBLE = frozenset({"garbage", "smoke_fire", "noise_dog", "burning", "thief"})


_SLIP = longest_first(SLIPS)
# Addresses say where, not what: 「3栋」「12幢」「1802」 would otherwise read as things. A run is read
# from its start only and not given back (a lookbehind, a possessive run): the same matches, but a
# line of 100,000 letters took 74 s (every start inside the run scanned it to its end), now 3 ms.
_ADDRESS = re.compile(
    r"(?<![0-9a-z一二三四五六七八九十两])[0-9a-z一二三四五六七八九十两]++(?:号楼|栋|幢|座|单元|楼|层|室|号|#)|\d{3,4}"
)


def _without_addresses(text: str) -> str:
    """Normalised ``text`` with its slips read as meant and its addresses blanked."""
    return _ADDRESS.sub(" ", _SLIP.sub(lambda m: SLIPS[m.group()], text))


@lru_cache(maxsize=4096)
def signature(text: str) -> Signature:
    """The things, troubles and sub-places named in normalised ``text``."""
    s = _without_addresses(text)
    names, owner, troubles, problem_of = _patterns()
    objects: set[str] = set()
    places: dict[str, set[str]] = {}
    rest = []
    last = 0
    for m in names.finditer(s):
        kind, name = owner[m.group()]
        if kind == "object":
            objects.add(name)
            if name in _OWN_TROUBLE:
                continue  # 垃圾 and 着火 say what is wrong as well as what it is about
        else:
            places.setdefault(kind, set()).add(name)
        rest.append(s[last:m.start()])
        last = m.end()
    rest.append(s[last:])
    bare = " ".join(rest)
    if _SIDE_LIFT.search(s):
        objects.add("elevator")
    return Signature(
        objects=frozenset(objects - {PARENTS[o] for o in objects if o in PARENTS}),
        problems=frozenset([problem_of[m.group()] for m in troubles.finditer(bare)]
                           + (["missing"] if _MISSING.search(s) else [])),
        places={kind: frozenset(v) for kind, v in places.items()},
    )


# Names the duplicate check compares but that do not show a message is about the compound: a flat's
# own air conditioner (「会议室空调坏了」, 「谁家空调师傅靠谱」) and a pavilion as a meeting place
# (「早上六点半在亭子」) are no thing of the property's to see to.
_NOT_EVIDENCE = frozenset({"空调", "亭子"})
# Gates and sides say where, not what (「东门那家包子铺」); a part of the compound is a thing of its
# own (「楼道里挂满腊肉」「地库线画得太窄」). Round 16, parts counted: see ``names_the_compound``.
_EVIDENCE_KINDS = frozenset({"object", "part"})


# The community's own bodies: a question or a proposal put to them (「社区啥时候再组织义诊？」,
# 「建议居委会装个公告栏」, 「物管年底清洁费又单收」) is about the compound's life even when it names no
# thing of it.
_BODIES = re.compile(r"社区|居委|网格员|楼长|业委会|物管|业主")


def names_the_compound(text: str) -> bool:
    """Whether normalised ``text`` names something of the compound: a thing ``signature`` would
    read, a part of the compound (楼道, 地库, 花园, 楼顶 …) or one of the community's bodies. The
    first one found answers, and what is wrong with it is not read (the parser asks this of a third
    of all messages, most of them chatter, to know whether they name anything of the compound)."""
    s = _without_addresses(text)
    names, owner, _troubles, _problem_of = _patterns()
    return (any(owner[m.group()][0] in _EVIDENCE_KINDS and m.group() not in _NOT_EVIDENCE for m in names.finditer(s))
            or _SIDE_LIFT.search(s) is not None or _BODIES.search(s) is not None)
