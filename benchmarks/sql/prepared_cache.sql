-- 200 distinct statements for benchmarks/test_prepared_cache.py: as many named queries as
-- the project will have, to show psycopg's prepared-statement cache holding still or churning.

-- name: prepared_names()
-- The names of the prepared statements of this session.
SELECT name FROM pg_prepared_statements ORDER BY name;

-- name: q000(n)$
-- Returns n plus 0.
SELECT :n::int + 0 AS value;

-- name: q001(n)$
-- Returns n plus 1.
SELECT :n::int + 1 AS value;

-- name: q002(n)$
-- Returns n plus 2.
SELECT :n::int + 2 AS value;

-- name: q003(n)$
-- Returns n plus 3.
SELECT :n::int + 3 AS value;

-- name: q004(n)$
-- Returns n plus 4.
SELECT :n::int + 4 AS value;

-- name: q005(n)$
-- Returns n plus 5.
SELECT :n::int + 5 AS value;

-- name: q006(n)$
-- Returns n plus 6.
SELECT :n::int + 6 AS value;

-- name: q007(n)$
-- Returns n plus 7.
SELECT :n::int + 7 AS value;

-- name: q008(n)$
-- Returns n plus 8.
SELECT :n::int + 8 AS value;

-- name: q009(n)$
-- Returns n plus 9.
SELECT :n::int + 9 AS value;

-- name: q010(n)$
-- Returns n plus 10.
SELECT :n::int + 10 AS value;

-- name: q011(n)$
-- Returns n plus 11.
SELECT :n::int + 11 AS value;

-- name: q012(n)$
-- Returns n plus 12.
SELECT :n::int + 12 AS value;

-- name: q013(n)$
-- Returns n plus 13.
SELECT :n::int + 13 AS value;

-- name: q014(n)$
-- Returns n plus 14.
SELECT :n::int + 14 AS value;

-- name: q015(n)$
-- Returns n plus 15.
SELECT :n::int + 15 AS value;

-- name: q016(n)$
-- Returns n plus 16.
SELECT :n::int + 16 AS value;

-- name: q017(n)$
-- Returns n plus 17.
SELECT :n::int + 17 AS value;

-- name: q018(n)$
-- Returns n plus 18.
SELECT :n::int + 18 AS value;

-- name: q019(n)$
-- Returns n plus 19.
SELECT :n::int + 19 AS value;

-- name: q020(n)$
-- Returns n plus 20.
SELECT :n::int + 20 AS value;

-- name: q021(n)$
-- Returns n plus 21.
SELECT :n::int + 21 AS value;

-- name: q022(n)$
-- Returns n plus 22.
SELECT :n::int + 22 AS value;

-- name: q023(n)$
-- Returns n plus 23.
SELECT :n::int + 23 AS value;

-- name: q024(n)$
-- Returns n plus 24.
SELECT :n::int + 24 AS value;

-- name: q025(n)$
-- Returns n plus 25.
SELECT :n::int + 25 AS value;

-- name: q026(n)$
-- Returns n plus 26.
SELECT :n::int + 26 AS value;

-- name: q027(n)$
-- Returns n plus 27.
SELECT :n::int + 27 AS value;

-- name: q028(n)$
-- Returns n plus 28.
SELECT :n::int + 28 AS value;

-- name: q029(n)$
-- Returns n plus 29.
SELECT :n::int + 29 AS value;

-- name: q030(n)$
-- Returns n plus 30.
SELECT :n::int + 30 AS value;

-- name: q031(n)$
-- Returns n plus 31.
SELECT :n::int + 31 AS value;

-- name: q032(n)$
-- Returns n plus 32.
SELECT :n::int + 32 AS value;

-- name: q033(n)$
-- Returns n plus 33.
SELECT :n::int + 33 AS value;

-- name: q034(n)$
-- Returns n plus 34.
SELECT :n::int + 34 AS value;

-- name: q035(n)$
-- Returns n plus 35.
SELECT :n::int + 35 AS value;

-- name: q036(n)$
-- Returns n plus 36.
SELECT :n::int + 36 AS value;

-- name: q037(n)$
-- Returns n plus 37.
SELECT :n::int + 37 AS value;

-- name: q038(n)$
-- Returns n plus 38.
SELECT :n::int + 38 AS value;

-- name: q039(n)$
-- Returns n plus 39.
SELECT :n::int + 39 AS value;

-- name: q040(n)$
-- Returns n plus 40.
SELECT :n::int + 40 AS value;

-- name: q041(n)$
-- Returns n plus 41.
SELECT :n::int + 41 AS value;

-- name: q042(n)$
-- Returns n plus 42.
SELECT :n::int + 42 AS value;

-- name: q043(n)$
-- Returns n plus 43.
SELECT :n::int + 43 AS value;

-- name: q044(n)$
-- Returns n plus 44.
SELECT :n::int + 44 AS value;

-- name: q045(n)$
-- Returns n plus 45.
SELECT :n::int + 45 AS value;

-- name: q046(n)$
-- Returns n plus 46.
SELECT :n::int + 46 AS value;

-- name: q047(n)$
-- Returns n plus 47.
SELECT :n::int + 47 AS value;

-- name: q048(n)$
-- Returns n plus 48.
SELECT :n::int + 48 AS value;

-- name: q049(n)$
-- Returns n plus 49.
SELECT :n::int + 49 AS value;

-- name: q050(n)$
-- Returns n plus 50.
SELECT :n::int + 50 AS value;

-- name: q051(n)$
-- Returns n plus 51.
SELECT :n::int + 51 AS value;

-- name: q052(n)$
-- Returns n plus 52.
SELECT :n::int + 52 AS value;

-- name: q053(n)$
-- Returns n plus 53.
SELECT :n::int + 53 AS value;

-- name: q054(n)$
-- Returns n plus 54.
SELECT :n::int + 54 AS value;

-- name: q055(n)$
-- Returns n plus 55.
SELECT :n::int + 55 AS value;

-- name: q056(n)$
-- Returns n plus 56.
SELECT :n::int + 56 AS value;

-- name: q057(n)$
-- Returns n plus 57.
SELECT :n::int + 57 AS value;

-- name: q058(n)$
-- Returns n plus 58.
SELECT :n::int + 58 AS value;

-- name: q059(n)$
-- Returns n plus 59.
SELECT :n::int + 59 AS value;

-- name: q060(n)$
-- Returns n plus 60.
SELECT :n::int + 60 AS value;

-- name: q061(n)$
-- Returns n plus 61.
SELECT :n::int + 61 AS value;

-- name: q062(n)$
-- Returns n plus 62.
SELECT :n::int + 62 AS value;

-- name: q063(n)$
-- Returns n plus 63.
SELECT :n::int + 63 AS value;

-- name: q064(n)$
-- Returns n plus 64.
SELECT :n::int + 64 AS value;

-- name: q065(n)$
-- Returns n plus 65.
SELECT :n::int + 65 AS value;

-- name: q066(n)$
-- Returns n plus 66.
SELECT :n::int + 66 AS value;

-- name: q067(n)$
-- Returns n plus 67.
SELECT :n::int + 67 AS value;

-- name: q068(n)$
-- Returns n plus 68.
SELECT :n::int + 68 AS value;

-- name: q069(n)$
-- Returns n plus 69.
SELECT :n::int + 69 AS value;

-- name: q070(n)$
-- Returns n plus 70.
SELECT :n::int + 70 AS value;

-- name: q071(n)$
-- Returns n plus 71.
SELECT :n::int + 71 AS value;

-- name: q072(n)$
-- Returns n plus 72.
SELECT :n::int + 72 AS value;

-- name: q073(n)$
-- Returns n plus 73.
SELECT :n::int + 73 AS value;

-- name: q074(n)$
-- Returns n plus 74.
SELECT :n::int + 74 AS value;

-- name: q075(n)$
-- Returns n plus 75.
SELECT :n::int + 75 AS value;

-- name: q076(n)$
-- Returns n plus 76.
SELECT :n::int + 76 AS value;

-- name: q077(n)$
-- Returns n plus 77.
SELECT :n::int + 77 AS value;

-- name: q078(n)$
-- Returns n plus 78.
SELECT :n::int + 78 AS value;

-- name: q079(n)$
-- Returns n plus 79.
SELECT :n::int + 79 AS value;

-- name: q080(n)$
-- Returns n plus 80.
SELECT :n::int + 80 AS value;

-- name: q081(n)$
-- Returns n plus 81.
SELECT :n::int + 81 AS value;

-- name: q082(n)$
-- Returns n plus 82.
SELECT :n::int + 82 AS value;

-- name: q083(n)$
-- Returns n plus 83.
SELECT :n::int + 83 AS value;

-- name: q084(n)$
-- Returns n plus 84.
SELECT :n::int + 84 AS value;

-- name: q085(n)$
-- Returns n plus 85.
SELECT :n::int + 85 AS value;

-- name: q086(n)$
-- Returns n plus 86.
SELECT :n::int + 86 AS value;

-- name: q087(n)$
-- Returns n plus 87.
SELECT :n::int + 87 AS value;

-- name: q088(n)$
-- Returns n plus 88.
SELECT :n::int + 88 AS value;

-- name: q089(n)$
-- Returns n plus 89.
SELECT :n::int + 89 AS value;

-- name: q090(n)$
-- Returns n plus 90.
SELECT :n::int + 90 AS value;

-- name: q091(n)$
-- Returns n plus 91.
SELECT :n::int + 91 AS value;

-- name: q092(n)$
-- Returns n plus 92.
SELECT :n::int + 92 AS value;

-- name: q093(n)$
-- Returns n plus 93.
SELECT :n::int + 93 AS value;

-- name: q094(n)$
-- Returns n plus 94.
SELECT :n::int + 94 AS value;

-- name: q095(n)$
-- Returns n plus 95.
SELECT :n::int + 95 AS value;

-- name: q096(n)$
-- Returns n plus 96.
SELECT :n::int + 96 AS value;

-- name: q097(n)$
-- Returns n plus 97.
SELECT :n::int + 97 AS value;

-- name: q098(n)$
-- Returns n plus 98.
SELECT :n::int + 98 AS value;

-- name: q099(n)$
-- Returns n plus 99.
SELECT :n::int + 99 AS value;

-- name: q100(n)$
-- Returns n plus 100.
SELECT :n::int + 100 AS value;

-- name: q101(n)$
-- Returns n plus 101.
SELECT :n::int + 101 AS value;

-- name: q102(n)$
-- Returns n plus 102.
SELECT :n::int + 102 AS value;

-- name: q103(n)$
-- Returns n plus 103.
SELECT :n::int + 103 AS value;

-- name: q104(n)$
-- Returns n plus 104.
SELECT :n::int + 104 AS value;

-- name: q105(n)$
-- Returns n plus 105.
SELECT :n::int + 105 AS value;

-- name: q106(n)$
-- Returns n plus 106.
SELECT :n::int + 106 AS value;

-- name: q107(n)$
-- Returns n plus 107.
SELECT :n::int + 107 AS value;

-- name: q108(n)$
-- Returns n plus 108.
SELECT :n::int + 108 AS value;

-- name: q109(n)$
-- Returns n plus 109.
SELECT :n::int + 109 AS value;

-- name: q110(n)$
-- Returns n plus 110.
SELECT :n::int + 110 AS value;

-- name: q111(n)$
-- Returns n plus 111.
SELECT :n::int + 111 AS value;

-- name: q112(n)$
-- Returns n plus 112.
SELECT :n::int + 112 AS value;

-- name: q113(n)$
-- Returns n plus 113.
SELECT :n::int + 113 AS value;

-- name: q114(n)$
-- Returns n plus 114.
SELECT :n::int + 114 AS value;

-- name: q115(n)$
-- Returns n plus 115.
SELECT :n::int + 115 AS value;

-- name: q116(n)$
-- Returns n plus 116.
SELECT :n::int + 116 AS value;

-- name: q117(n)$
-- Returns n plus 117.
SELECT :n::int + 117 AS value;

-- name: q118(n)$
-- Returns n plus 118.
SELECT :n::int + 118 AS value;

-- name: q119(n)$
-- Returns n plus 119.
SELECT :n::int + 119 AS value;

-- name: q120(n)$
-- Returns n plus 120.
SELECT :n::int + 120 AS value;

-- name: q121(n)$
-- Returns n plus 121.
SELECT :n::int + 121 AS value;

-- name: q122(n)$
-- Returns n plus 122.
SELECT :n::int + 122 AS value;

-- name: q123(n)$
-- Returns n plus 123.
SELECT :n::int + 123 AS value;

-- name: q124(n)$
-- Returns n plus 124.
SELECT :n::int + 124 AS value;

-- name: q125(n)$
-- Returns n plus 125.
SELECT :n::int + 125 AS value;

-- name: q126(n)$
-- Returns n plus 126.
SELECT :n::int + 126 AS value;

-- name: q127(n)$
-- Returns n plus 127.
SELECT :n::int + 127 AS value;

-- name: q128(n)$
-- Returns n plus 128.
SELECT :n::int + 128 AS value;

-- name: q129(n)$
-- Returns n plus 129.
SELECT :n::int + 129 AS value;

-- name: q130(n)$
-- Returns n plus 130.
SELECT :n::int + 130 AS value;

-- name: q131(n)$
-- Returns n plus 131.
SELECT :n::int + 131 AS value;

-- name: q132(n)$
-- Returns n plus 132.
SELECT :n::int + 132 AS value;

-- name: q133(n)$
-- Returns n plus 133.
SELECT :n::int + 133 AS value;

-- name: q134(n)$
-- Returns n plus 134.
SELECT :n::int + 134 AS value;

-- name: q135(n)$
-- Returns n plus 135.
SELECT :n::int + 135 AS value;

-- name: q136(n)$
-- Returns n plus 136.
SELECT :n::int + 136 AS value;

-- name: q137(n)$
-- Returns n plus 137.
SELECT :n::int + 137 AS value;

-- name: q138(n)$
-- Returns n plus 138.
SELECT :n::int + 138 AS value;

-- name: q139(n)$
-- Returns n plus 139.
SELECT :n::int + 139 AS value;

-- name: q140(n)$
-- Returns n plus 140.
SELECT :n::int + 140 AS value;

-- name: q141(n)$
-- Returns n plus 141.
SELECT :n::int + 141 AS value;

-- name: q142(n)$
-- Returns n plus 142.
SELECT :n::int + 142 AS value;

-- name: q143(n)$
-- Returns n plus 143.
SELECT :n::int + 143 AS value;

-- name: q144(n)$
-- Returns n plus 144.
SELECT :n::int + 144 AS value;

-- name: q145(n)$
-- Returns n plus 145.
SELECT :n::int + 145 AS value;

-- name: q146(n)$
-- Returns n plus 146.
SELECT :n::int + 146 AS value;

-- name: q147(n)$
-- Returns n plus 147.
SELECT :n::int + 147 AS value;

-- name: q148(n)$
-- Returns n plus 148.
SELECT :n::int + 148 AS value;

-- name: q149(n)$
-- Returns n plus 149.
SELECT :n::int + 149 AS value;

-- name: q150(n)$
-- Returns n plus 150.
SELECT :n::int + 150 AS value;

-- name: q151(n)$
-- Returns n plus 151.
SELECT :n::int + 151 AS value;

-- name: q152(n)$
-- Returns n plus 152.
SELECT :n::int + 152 AS value;

-- name: q153(n)$
-- Returns n plus 153.
SELECT :n::int + 153 AS value;

-- name: q154(n)$
-- Returns n plus 154.
SELECT :n::int + 154 AS value;

-- name: q155(n)$
-- Returns n plus 155.
SELECT :n::int + 155 AS value;

-- name: q156(n)$
-- Returns n plus 156.
SELECT :n::int + 156 AS value;

-- name: q157(n)$
-- Returns n plus 157.
SELECT :n::int + 157 AS value;

-- name: q158(n)$
-- Returns n plus 158.
SELECT :n::int + 158 AS value;

-- name: q159(n)$
-- Returns n plus 159.
SELECT :n::int + 159 AS value;

-- name: q160(n)$
-- Returns n plus 160.
SELECT :n::int + 160 AS value;

-- name: q161(n)$
-- Returns n plus 161.
SELECT :n::int + 161 AS value;

-- name: q162(n)$
-- Returns n plus 162.
SELECT :n::int + 162 AS value;

-- name: q163(n)$
-- Returns n plus 163.
SELECT :n::int + 163 AS value;

-- name: q164(n)$
-- Returns n plus 164.
SELECT :n::int + 164 AS value;

-- name: q165(n)$
-- Returns n plus 165.
SELECT :n::int + 165 AS value;

-- name: q166(n)$
-- Returns n plus 166.
SELECT :n::int + 166 AS value;

-- name: q167(n)$
-- Returns n plus 167.
SELECT :n::int + 167 AS value;

-- name: q168(n)$
-- Returns n plus 168.
SELECT :n::int + 168 AS value;

-- name: q169(n)$
-- Returns n plus 169.
SELECT :n::int + 169 AS value;

-- name: q170(n)$
-- Returns n plus 170.
SELECT :n::int + 170 AS value;

-- name: q171(n)$
-- Returns n plus 171.
SELECT :n::int + 171 AS value;

-- name: q172(n)$
-- Returns n plus 172.
SELECT :n::int + 172 AS value;

-- name: q173(n)$
-- Returns n plus 173.
SELECT :n::int + 173 AS value;

-- name: q174(n)$
-- Returns n plus 174.
SELECT :n::int + 174 AS value;

-- name: q175(n)$
-- Returns n plus 175.
SELECT :n::int + 175 AS value;

-- name: q176(n)$
-- Returns n plus 176.
SELECT :n::int + 176 AS value;

-- name: q177(n)$
-- Returns n plus 177.
SELECT :n::int + 177 AS value;

-- name: q178(n)$
-- Returns n plus 178.
SELECT :n::int + 178 AS value;

-- name: q179(n)$
-- Returns n plus 179.
SELECT :n::int + 179 AS value;

-- name: q180(n)$
-- Returns n plus 180.
SELECT :n::int + 180 AS value;

-- name: q181(n)$
-- Returns n plus 181.
SELECT :n::int + 181 AS value;

-- name: q182(n)$
-- Returns n plus 182.
SELECT :n::int + 182 AS value;

-- name: q183(n)$
-- Returns n plus 183.
SELECT :n::int + 183 AS value;

-- name: q184(n)$
-- Returns n plus 184.
SELECT :n::int + 184 AS value;

-- name: q185(n)$
-- Returns n plus 185.
SELECT :n::int + 185 AS value;

-- name: q186(n)$
-- Returns n plus 186.
SELECT :n::int + 186 AS value;

-- name: q187(n)$
-- Returns n plus 187.
SELECT :n::int + 187 AS value;

-- name: q188(n)$
-- Returns n plus 188.
SELECT :n::int + 188 AS value;

-- name: q189(n)$
-- Returns n plus 189.
SELECT :n::int + 189 AS value;

-- name: q190(n)$
-- Returns n plus 190.
SELECT :n::int + 190 AS value;

-- name: q191(n)$
-- Returns n plus 191.
SELECT :n::int + 191 AS value;

-- name: q192(n)$
-- Returns n plus 192.
SELECT :n::int + 192 AS value;

-- name: q193(n)$
-- Returns n plus 193.
SELECT :n::int + 193 AS value;

-- name: q194(n)$
-- Returns n plus 194.
SELECT :n::int + 194 AS value;

-- name: q195(n)$
-- Returns n plus 195.
SELECT :n::int + 195 AS value;

-- name: q196(n)$
-- Returns n plus 196.
SELECT :n::int + 196 AS value;

-- name: q197(n)$
-- Returns n plus 197.
SELECT :n::int + 197 AS value;

-- name: q198(n)$
-- Returns n plus 198.
SELECT :n::int + 198 AS value;

-- name: q199(n)$
-- Returns n plus 199.
SELECT :n::int + 199 AS value;
