namespace ManyTestsFixture;

/// <summary>300 tests, each writing the same file in /tmp: in a container of its own, none sees another's.</summary>
[TestClass]
public sealed class ManyTests
{
    [TestMethod] public void T001() => Isolated.WriteMarker(1);

    [TestMethod] public void T002() => Isolated.WriteMarker(2);

    [TestMethod] public void T003() => Isolated.WriteMarker(3);

    [TestMethod] public void T004() => Isolated.WriteMarker(4);

    [TestMethod] public void T005() => Isolated.WriteMarker(5);

    [TestMethod] public void T006() => Isolated.WriteMarker(6);

    [TestMethod] public void T007() => Isolated.WriteMarker(7);

    [TestMethod] public void T008() => Isolated.WriteMarker(8);

    [TestMethod] public void T009() => Isolated.WriteMarker(9);

    [TestMethod] public void T010() => Isolated.WriteMarker(10);

    [TestMethod] public void T011() => Isolated.WriteMarker(11);

    [TestMethod] public void T012() => Isolated.WriteMarker(12);

    [TestMethod] public void T013() => Isolated.WriteMarker(13);

    [TestMethod] public void T014() => Isolated.WriteMarker(14);

    [TestMethod] public void T015() => Isolated.WriteMarker(15);

    [TestMethod] public void T016() => Isolated.WriteMarker(16);

    [TestMethod] public void T017() => Isolated.WriteMarker(17);

    [TestMethod] public void T018() => Isolated.WriteMarker(18);

    [TestMethod] public void T019() => Isolated.WriteMarker(19);

    [TestMethod] public void T020() => Isolated.WriteMarker(20);

    [TestMethod] public void T021() => Isolated.WriteMarker(21);

    [TestMethod] public void T022() => Isolated.WriteMarker(22);

    [TestMethod] public void T023() => Isolated.WriteMarker(23);

    [TestMethod] public void T024() => Isolated.WriteMarker(24);

    [TestMethod] public void T025() => Isolated.WriteMarker(25);

    [TestMethod] public void T026() => Isolated.WriteMarker(26);

    [TestMethod] public void T027() => Isolated.WriteMarker(27);

    [TestMethod] public void T028() => Isolated.WriteMarker(28);

    [TestMethod] public void T029() => Isolated.WriteMarker(29);

    [TestMethod] public void T030() => Isolated.WriteMarker(30);

    [TestMethod] public void T031() => Isolated.WriteMarker(31);

    [TestMethod] public void T032() => Isolated.WriteMarker(32);

    [TestMethod] public void T033() => Isolated.WriteMarker(33);

    [TestMethod] public void T034() => Isolated.WriteMarker(34);

    [TestMethod] public void T035() => Isolated.WriteMarker(35);

    [TestMethod] public void T036() => Isolated.WriteMarker(36);

    [TestMethod] public void T037() => Isolated.WriteMarker(37);

    [TestMethod] public void T038() => Isolated.WriteMarker(38);

    [TestMethod] public void T039() => Isolated.WriteMarker(39);

    [TestMethod] public void T040() => Isolated.WriteMarker(40);

    [TestMethod] public void T041() => Isolated.WriteMarker(41);

    [TestMethod] public void T042() => Isolated.WriteMarker(42);

    [TestMethod] public void T043() => Isolated.WriteMarker(43);

    [TestMethod] public void T044() => Isolated.WriteMarker(44);

    [TestMethod] public void T045() => Isolated.WriteMarker(45);

    [TestMethod] public void T046() => Isolated.WriteMarker(46);

    [TestMethod] public void T047() => Isolated.WriteMarker(47);

    [TestMethod] public void T048() => Isolated.WriteMarker(48);

    [TestMethod] public void T049() => Isolated.WriteMarker(49);

    [TestMethod] public void T050() => Isolated.WriteMarker(50);

    [TestMethod] public void T051() => Isolated.WriteMarker(51);

    [TestMethod] public void T052() => Isolated.WriteMarker(52);

    [TestMethod] public void T053() => Isolated.WriteMarker(53);

    [TestMethod] public void T054() => Isolated.WriteMarker(54);

    [TestMethod] public void T055() => Isolated.WriteMarker(55);

    [TestMethod] public void T056() => Isolated.WriteMarker(56);

    [TestMethod] public void T057() => Isolated.WriteMarker(57);

    [TestMethod] public void T058() => Isolated.WriteMarker(58);

    [TestMethod] public void T059() => Isolated.WriteMarker(59);

    [TestMethod] public void T060() => Isolated.WriteMarker(60);

    [TestMethod] public void T061() => Isolated.WriteMarker(61);

    [TestMethod] public void T062() => Isolated.WriteMarker(62);

    [TestMethod] public void T063() => Isolated.WriteMarker(63);

    [TestMethod] public void T064() => Isolated.WriteMarker(64);

    [TestMethod] public void T065() => Isolated.WriteMarker(65);

    [TestMethod] public void T066() => Isolated.WriteMarker(66);

    [TestMethod] public void T067() => Isolated.WriteMarker(67);

    [TestMethod] public void T068() => Isolated.WriteMarker(68);

    [TestMethod] public void T069() => Isolated.WriteMarker(69);

    [TestMethod] public void T070() => Isolated.WriteMarker(70);

    [TestMethod] public void T071() => Isolated.WriteMarker(71);

    [TestMethod] public void T072() => Isolated.WriteMarker(72);

    [TestMethod] public void T073() => Isolated.WriteMarker(73);

    [TestMethod] public void T074() => Isolated.WriteMarker(74);

    [TestMethod] public void T075() => Isolated.WriteMarker(75);

    [TestMethod] public void T076() => Isolated.WriteMarker(76);

    [TestMethod] public void T077() => Isolated.WriteMarker(77);

    [TestMethod] public void T078() => Isolated.WriteMarker(78);

    [TestMethod] public void T079() => Isolated.WriteMarker(79);

    [TestMethod] public void T080() => Isolated.WriteMarker(80);

    [TestMethod] public void T081() => Isolated.WriteMarker(81);

    [TestMethod] public void T082() => Isolated.WriteMarker(82);

    [TestMethod] public void T083() => Isolated.WriteMarker(83);

    [TestMethod] public void T084() => Isolated.WriteMarker(84);

    [TestMethod] public void T085() => Isolated.WriteMarker(85);

    [TestMethod] public void T086() => Isolated.WriteMarker(86);

    [TestMethod] public void T087() => Isolated.WriteMarker(87);

    [TestMethod] public void T088() => Isolated.WriteMarker(88);

    [TestMethod] public void T089() => Isolated.WriteMarker(89);

    [TestMethod] public void T090() => Isolated.WriteMarker(90);

    [TestMethod] public void T091() => Isolated.WriteMarker(91);

    [TestMethod] public void T092() => Isolated.WriteMarker(92);

    [TestMethod] public void T093() => Isolated.WriteMarker(93);

    [TestMethod] public void T094() => Isolated.WriteMarker(94);

    [TestMethod] public void T095() => Isolated.WriteMarker(95);

    [TestMethod] public void T096() => Isolated.WriteMarker(96);

    [TestMethod] public void T097() => Isolated.WriteMarker(97);

    [TestMethod] public void T098() => Isolated.WriteMarker(98);

    [TestMethod] public void T099() => Isolated.WriteMarker(99);

    [TestMethod] public void T100() => Isolated.WriteMarker(100);

    [TestMethod] public void T101() => Isolated.WriteMarker(101);

    [TestMethod] public void T102() => Isolated.WriteMarker(102);

    [TestMethod] public void T103() => Isolated.WriteMarker(103);

    [TestMethod] public void T104() => Isolated.WriteMarker(104);

    [TestMethod] public void T105() => Isolated.WriteMarker(105);

    [TestMethod] public void T106() => Isolated.WriteMarker(106);

    [TestMethod] public void T107() => Isolated.WriteMarker(107);

    [TestMethod] public void T108() => Isolated.WriteMarker(108);

    [TestMethod] public void T109() => Isolated.WriteMarker(109);

    [TestMethod] public void T110() => Isolated.WriteMarker(110);

    [TestMethod] public void T111() => Isolated.WriteMarker(111);

    [TestMethod] public void T112() => Isolated.WriteMarker(112);

    [TestMethod] public void T113() => Isolated.WriteMarker(113);

    [TestMethod] public void T114() => Isolated.WriteMarker(114);

    [TestMethod] public void T115() => Isolated.WriteMarker(115);

    [TestMethod] public void T116() => Isolated.WriteMarker(116);

    [TestMethod] public void T117() => Isolated.WriteMarker(117);

    [TestMethod] public void T118() => Isolated.WriteMarker(118);

    [TestMethod] public void T119() => Isolated.WriteMarker(119);

    [TestMethod] public void T120() => Isolated.WriteMarker(120);

    [TestMethod] public void T121() => Isolated.WriteMarker(121);

    [TestMethod] public void T122() => Isolated.WriteMarker(122);

    [TestMethod] public void T123() => Isolated.WriteMarker(123);

    [TestMethod] public void T124() => Isolated.WriteMarker(124);

    [TestMethod] public void T125() => Isolated.WriteMarker(125);

    [TestMethod] public void T126() => Isolated.WriteMarker(126);

    [TestMethod] public void T127() => Isolated.WriteMarker(127);

    [TestMethod] public void T128() => Isolated.WriteMarker(128);

    [TestMethod] public void T129() => Isolated.WriteMarker(129);

    [TestMethod] public void T130() => Isolated.WriteMarker(130);

    [TestMethod] public void T131() => Isolated.WriteMarker(131);

    [TestMethod] public void T132() => Isolated.WriteMarker(132);

    [TestMethod] public void T133() => Isolated.WriteMarker(133);

    [TestMethod] public void T134() => Isolated.WriteMarker(134);

    [TestMethod] public void T135() => Isolated.WriteMarker(135);

    [TestMethod] public void T136() => Isolated.WriteMarker(136);

    [TestMethod] public void T137() => Isolated.WriteMarker(137);

    [TestMethod] public void T138() => Isolated.WriteMarker(138);

    [TestMethod] public void T139() => Isolated.WriteMarker(139);

    [TestMethod] public void T140() => Isolated.WriteMarker(140);

    [TestMethod] public void T141() => Isolated.WriteMarker(141);

    [TestMethod] public void T142() => Isolated.WriteMarker(142);

    [TestMethod] public void T143() => Isolated.WriteMarker(143);

    [TestMethod] public void T144() => Isolated.WriteMarker(144);

    [TestMethod] public void T145() => Isolated.WriteMarker(145);

    [TestMethod] public void T146() => Isolated.WriteMarker(146);

    [TestMethod] public void T147() => Isolated.WriteMarker(147);

    [TestMethod] public void T148() => Isolated.WriteMarker(148);

    [TestMethod] public void T149() => Isolated.WriteMarker(149);

    [TestMethod] public void T150() => Isolated.WriteMarker(150);

    [TestMethod] public void T151() => Isolated.WriteMarker(151);

    [TestMethod] public void T152() => Isolated.WriteMarker(152);

    [TestMethod] public void T153() => Isolated.WriteMarker(153);

    [TestMethod] public void T154() => Isolated.WriteMarker(154);

    [TestMethod] public void T155() => Isolated.WriteMarker(155);

    [TestMethod] public void T156() => Isolated.WriteMarker(156);

    [TestMethod] public void T157() => Isolated.WriteMarker(157);

    [TestMethod] public void T158() => Isolated.WriteMarker(158);

    [TestMethod] public void T159() => Isolated.WriteMarker(159);

    [TestMethod] public void T160() => Isolated.WriteMarker(160);

    [TestMethod] public void T161() => Isolated.WriteMarker(161);

    [TestMethod] public void T162() => Isolated.WriteMarker(162);

    [TestMethod] public void T163() => Isolated.WriteMarker(163);

    [TestMethod] public void T164() => Isolated.WriteMarker(164);

    [TestMethod] public void T165() => Isolated.WriteMarker(165);

    [TestMethod] public void T166() => Isolated.WriteMarker(166);

    [TestMethod] public void T167() => Isolated.WriteMarker(167);

    [TestMethod] public void T168() => Isolated.WriteMarker(168);

    [TestMethod] public void T169() => Isolated.WriteMarker(169);

    [TestMethod] public void T170() => Isolated.WriteMarker(170);

    [TestMethod] public void T171() => Isolated.WriteMarker(171);

    [TestMethod] public void T172() => Isolated.WriteMarker(172);

    [TestMethod] public void T173() => Isolated.WriteMarker(173);

    [TestMethod] public void T174() => Isolated.WriteMarker(174);

    [TestMethod] public void T175() => Isolated.WriteMarker(175);

    [TestMethod] public void T176() => Isolated.WriteMarker(176);

    [TestMethod] public void T177() => Isolated.WriteMarker(177);

    [TestMethod] public void T178() => Isolated.WriteMarker(178);

    [TestMethod] public void T179() => Isolated.WriteMarker(179);

    [TestMethod] public void T180() => Isolated.WriteMarker(180);

    [TestMethod] public void T181() => Isolated.WriteMarker(181);

    [TestMethod] public void T182() => Isolated.WriteMarker(182);

    [TestMethod] public void T183() => Isolated.WriteMarker(183);

    [TestMethod] public void T184() => Isolated.WriteMarker(184);

    [TestMethod] public void T185() => Isolated.WriteMarker(185);

    [TestMethod] public void T186() => Isolated.WriteMarker(186);

    [TestMethod] public void T187() => Isolated.WriteMarker(187);

    [TestMethod] public void T188() => Isolated.WriteMarker(188);

    [TestMethod] public void T189() => Isolated.WriteMarker(189);

    [TestMethod] public void T190() => Isolated.WriteMarker(190);

    [TestMethod] public void T191() => Isolated.WriteMarker(191);

    [TestMethod] public void T192() => Isolated.WriteMarker(192);

    [TestMethod] public void T193() => Isolated.WriteMarker(193);

    [TestMethod] public void T194() => Isolated.WriteMarker(194);

    [TestMethod] public void T195() => Isolated.WriteMarker(195);

    [TestMethod] public void T196() => Isolated.WriteMarker(196);

    [TestMethod] public void T197() => Isolated.WriteMarker(197);

    [TestMethod] public void T198() => Isolated.WriteMarker(198);

    [TestMethod] public void T199() => Isolated.WriteMarker(199);

    [TestMethod] public void T200() => Isolated.WriteMarker(200);

    [TestMethod] public void T201() => Isolated.WriteMarker(201);

    [TestMethod] public void T202() => Isolated.WriteMarker(202);

    [TestMethod] public void T203() => Isolated.WriteMarker(203);

    [TestMethod] public void T204() => Isolated.WriteMarker(204);

    [TestMethod] public void T205() => Isolated.WriteMarker(205);

    [TestMethod] public void T206() => Isolated.WriteMarker(206);

    [TestMethod] public void T207() => Isolated.WriteMarker(207);

    [TestMethod] public void T208() => Isolated.WriteMarker(208);

    [TestMethod] public void T209() => Isolated.WriteMarker(209);

    [TestMethod] public void T210() => Isolated.WriteMarker(210);

    [TestMethod] public void T211() => Isolated.WriteMarker(211);

    [TestMethod] public void T212() => Isolated.WriteMarker(212);

    [TestMethod] public void T213() => Isolated.WriteMarker(213);

    [TestMethod] public void T214() => Isolated.WriteMarker(214);

    [TestMethod] public void T215() => Isolated.WriteMarker(215);

    [TestMethod] public void T216() => Isolated.WriteMarker(216);

    [TestMethod] public void T217() => Isolated.WriteMarker(217);

    [TestMethod] public void T218() => Isolated.WriteMarker(218);

    [TestMethod] public void T219() => Isolated.WriteMarker(219);

    [TestMethod] public void T220() => Isolated.WriteMarker(220);

    [TestMethod] public void T221() => Isolated.WriteMarker(221);

    [TestMethod] public void T222() => Isolated.WriteMarker(222);

    [TestMethod] public void T223() => Isolated.WriteMarker(223);

    [TestMethod] public void T224() => Isolated.WriteMarker(224);

    [TestMethod] public void T225() => Isolated.WriteMarker(225);

    [TestMethod] public void T226() => Isolated.WriteMarker(226);

    [TestMethod] public void T227() => Isolated.WriteMarker(227);

    [TestMethod] public void T228() => Isolated.WriteMarker(228);

    [TestMethod] public void T229() => Isolated.WriteMarker(229);

    [TestMethod] public void T230() => Isolated.WriteMarker(230);

    [TestMethod] public void T231() => Isolated.WriteMarker(231);

    [TestMethod] public void T232() => Isolated.WriteMarker(232);

    [TestMethod] public void T233() => Isolated.WriteMarker(233);

    [TestMethod] public void T234() => Isolated.WriteMarker(234);

    [TestMethod] public void T235() => Isolated.WriteMarker(235);

    [TestMethod] public void T236() => Isolated.WriteMarker(236);

    [TestMethod] public void T237() => Isolated.WriteMarker(237);

    [TestMethod] public void T238() => Isolated.WriteMarker(238);

    [TestMethod] public void T239() => Isolated.WriteMarker(239);

    [TestMethod] public void T240() => Isolated.WriteMarker(240);

    [TestMethod] public void T241() => Isolated.WriteMarker(241);

    [TestMethod] public void T242() => Isolated.WriteMarker(242);

    [TestMethod] public void T243() => Isolated.WriteMarker(243);

    [TestMethod] public void T244() => Isolated.WriteMarker(244);

    [TestMethod] public void T245() => Isolated.WriteMarker(245);

    [TestMethod] public void T246() => Isolated.WriteMarker(246);

    [TestMethod] public void T247() => Isolated.WriteMarker(247);

    [TestMethod] public void T248() => Isolated.WriteMarker(248);

    [TestMethod] public void T249() => Isolated.WriteMarker(249);

    [TestMethod] public void T250() => Isolated.WriteMarker(250);

    [TestMethod] public void T251() => Isolated.WriteMarker(251);

    [TestMethod] public void T252() => Isolated.WriteMarker(252);

    [TestMethod] public void T253() => Isolated.WriteMarker(253);

    [TestMethod] public void T254() => Isolated.WriteMarker(254);

    [TestMethod] public void T255() => Isolated.WriteMarker(255);

    [TestMethod] public void T256() => Isolated.WriteMarker(256);

    [TestMethod] public void T257() => Isolated.WriteMarker(257);

    [TestMethod] public void T258() => Isolated.WriteMarker(258);

    [TestMethod] public void T259() => Isolated.WriteMarker(259);

    [TestMethod] public void T260() => Isolated.WriteMarker(260);

    [TestMethod] public void T261() => Isolated.WriteMarker(261);

    [TestMethod] public void T262() => Isolated.WriteMarker(262);

    [TestMethod] public void T263() => Isolated.WriteMarker(263);

    [TestMethod] public void T264() => Isolated.WriteMarker(264);

    [TestMethod] public void T265() => Isolated.WriteMarker(265);

    [TestMethod] public void T266() => Isolated.WriteMarker(266);

    [TestMethod] public void T267() => Isolated.WriteMarker(267);

    [TestMethod] public void T268() => Isolated.WriteMarker(268);

    [TestMethod] public void T269() => Isolated.WriteMarker(269);

    [TestMethod] public void T270() => Isolated.WriteMarker(270);

    [TestMethod] public void T271() => Isolated.WriteMarker(271);

    [TestMethod] public void T272() => Isolated.WriteMarker(272);

    [TestMethod] public void T273() => Isolated.WriteMarker(273);

    [TestMethod] public void T274() => Isolated.WriteMarker(274);

    [TestMethod] public void T275() => Isolated.WriteMarker(275);

    [TestMethod] public void T276() => Isolated.WriteMarker(276);

    [TestMethod] public void T277() => Isolated.WriteMarker(277);

    [TestMethod] public void T278() => Isolated.WriteMarker(278);

    [TestMethod] public void T279() => Isolated.WriteMarker(279);

    [TestMethod] public void T280() => Isolated.WriteMarker(280);

    [TestMethod] public void T281() => Isolated.WriteMarker(281);

    [TestMethod] public void T282() => Isolated.WriteMarker(282);

    [TestMethod] public void T283() => Isolated.WriteMarker(283);

    [TestMethod] public void T284() => Isolated.WriteMarker(284);

    [TestMethod] public void T285() => Isolated.WriteMarker(285);

    [TestMethod] public void T286() => Isolated.WriteMarker(286);

    [TestMethod] public void T287() => Isolated.WriteMarker(287);

    [TestMethod] public void T288() => Isolated.WriteMarker(288);

    [TestMethod] public void T289() => Isolated.WriteMarker(289);

    [TestMethod] public void T290() => Isolated.WriteMarker(290);

    [TestMethod] public void T291() => Isolated.WriteMarker(291);

    [TestMethod] public void T292() => Isolated.WriteMarker(292);

    [TestMethod] public void T293() => Isolated.WriteMarker(293);

    [TestMethod] public void T294() => Isolated.WriteMarker(294);

    [TestMethod] public void T295() => Isolated.WriteMarker(295);

    [TestMethod] public void T296() => Isolated.WriteMarker(296);

    [TestMethod] public void T297() => Isolated.WriteMarker(297);

    [TestMethod] public void T298() => Isolated.WriteMarker(298);

    [TestMethod] public void T299() => Isolated.WriteMarker(299);

    [TestMethod] public void T300() => Isolated.WriteMarker(300);
}
