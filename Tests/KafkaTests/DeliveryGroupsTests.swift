@testable import Kafka
import Testing

@Suite struct DeliveryGroupsTests {
    typealias Groups = RDKafkaCallbackContext.DeliveryGroups

    @Test("a group completes only when it and every lower group have no record outstanding")
    func completesInOrder() {
        var groups = Groups()
        #expect(groups.completed == 0)
        groups.outstanding = [1: 2, 2: 1]
        groups.highestSent = 2
        #expect(groups.completed == 0)
        groups.release(2)
        #expect(groups.completed == 0, "group 2 is done, but group 1 still has records in flight")
        groups.release(1)
        #expect(groups.completed == 0)
        groups.release(1)
        #expect(groups.completed == 2)
    }

    @Test("group numbers may skip: the completed group is the one below the lowest outstanding")
    func skippedNumbers() {
        var groups = Groups()
        groups.outstanding = [3: 1, 7: 1]
        groups.highestSent = 7
        #expect(groups.completed == 2)
        groups.release(3)
        #expect(groups.completed == 6)
        groups.release(7)
        #expect(groups.completed == 7)
        groups.release(7)  // a report for a group already complete changes nothing
        #expect(groups.completed == 7)
    }
}
